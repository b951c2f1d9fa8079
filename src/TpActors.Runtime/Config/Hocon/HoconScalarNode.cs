namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>A string, number, boolean or null: a leaf that is always resolved.</summary>
internal abstract class HoconScalarNode(ConfigOrigin origin) : HoconNode(origin)
{
    public sealed override bool IsResolved => true;

    /// <summary>The text this value contributes to a string concatenation.</summary>
    public abstract string ConcatText { get; }
}
