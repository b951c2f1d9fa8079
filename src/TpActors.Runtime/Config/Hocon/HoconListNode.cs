namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>A list of values.</summary>
internal sealed class HoconListNode : HoconNode
{
    private readonly bool _resolved;

    public HoconListNode(IReadOnlyList<HoconNode> items, ConfigOrigin origin) : base(origin)
    {
        Items = items;
        _resolved = items.All(v => v.IsResolved);
    }

    public IReadOnlyList<HoconNode> Items { get; }

    public override bool IsResolved => _resolved;

    public override string TypeName => "list";

    public override HoconNode Relativize(HoconPath prefix) =>
        _resolved ? this : new HoconListNode(Items.Select(v => v.Relativize(prefix)).ToList(), Origin);
}
