namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>A value concatenation that holds at least one substitution, joined by <see cref="HoconConcatenator"/> once its parts are resolved.</summary>
internal sealed class HoconConcatenationNode(IReadOnlyList<HoconNode> parts, ConfigOrigin origin) : HoconNode(origin)
{
    public IReadOnlyList<HoconNode> Parts { get; } = parts;

    public override bool IsResolved => false;

    public override string TypeName => "concatenation";

    public override HoconNode Relativize(HoconPath prefix) =>
        new HoconConcatenationNode(Parts.Select(p => p.Relativize(prefix)).ToList(), Origin);
}
