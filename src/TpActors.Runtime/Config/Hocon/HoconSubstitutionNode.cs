namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>A substitution <c>${path}</c> or <c>${?path}</c>, replaced by the value at that path when the tree is resolved.</summary>
internal sealed class HoconSubstitutionNode(HoconPath path, bool optional, int prefixLength, ConfigOrigin origin) : HoconNode(origin)
{
    /// <summary>The path looked up, already prefixed with the include point when it came from an included file.</summary>
    public HoconPath Path { get; } = path;

    /// <summary>True for <c>${?path}</c>: a missing value leaves the field undefined instead of failing.</summary>
    public bool Optional { get; } = optional;

    /// <summary>How many leading keys of <see cref="Path"/> were added by includes; lookup falls back to the path without them.</summary>
    public int PrefixLength { get; } = prefixLength;

    public override bool IsResolved => false;

    public override string TypeName => "substitution";

    public override HoconNode Relativize(HoconPath prefix) =>
        new HoconSubstitutionNode(prefix.Append(Path), Optional, PrefixLength + prefix.Length, Origin);

    public override string ToString() => Optional ? $"${{?{Path}}}" : $"${{{Path}}}";
}
