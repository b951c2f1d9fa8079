namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>A node of a parsed configuration tree; values are immutable once built.</summary>
/// <remarks>
/// Three node types exist only before resolution: <see cref="HoconSubstitutionNode"/>,
/// <see cref="HoconConcatenationNode"/> (a concatenation with a substitution in it) and
/// <see cref="HoconMergeStack"/> (a value laid over an earlier one that cannot be merged yet).
/// A tree whose <see cref="IsResolved"/> is true contains none of them.
/// </remarks>
internal abstract class HoconNode(ConfigOrigin origin)
{
    /// <summary>Where the value was written.</summary>
    public ConfigOrigin Origin { get; } = origin;

    /// <summary>True when no substitution remains anywhere below this node.</summary>
    public abstract bool IsResolved { get; }

    /// <summary>The type as users read it in messages: object, list, string, number, boolean, null.</summary>
    public abstract string TypeName { get; }

    /// <summary>Fixes up substitutions of an included file so they are relative to the include point (HOCON "include semantics: substitution").</summary>
    public virtual HoconNode Relativize(HoconPath prefix) => this;
}
