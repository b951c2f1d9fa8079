namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>A list of values.</summary>
internal sealed class HoconList : HoconValue
{
    private readonly bool _resolved;

    public HoconList(IReadOnlyList<HoconValue> items, ConfigOrigin origin) : base(origin)
    {
        Items = items;
        _resolved = items.All(v => v.IsResolved);
    }

    public IReadOnlyList<HoconValue> Items { get; }

    public override bool IsResolved => _resolved;

    public override string TypeName => "list";

    public override HoconValue Relativize(HoconPath prefix) =>
        _resolved ? this : new HoconList(Items.Select(v => v.Relativize(prefix)).ToList(), Origin);
}
