namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>A value concatenation that holds at least one substitution, joined by <see cref="HoconConcatenator"/> once its parts are resolved.</summary>
internal sealed class HoconConcatenation(IReadOnlyList<HoconValue> parts, ConfigOrigin origin) : HoconValue(origin)
{
    public IReadOnlyList<HoconValue> Parts { get; } = parts;

    public override bool IsResolved => false;

    public override string TypeName => "concatenation";

    public override HoconValue Relativize(HoconPath prefix) =>
        new HoconConcatenation(Parts.Select(p => p.Relativize(prefix)).ToList(), Origin);
}
