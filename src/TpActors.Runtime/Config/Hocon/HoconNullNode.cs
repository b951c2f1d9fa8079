namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>The null value. In a string concatenation a substituted null becomes the empty string (HOCON rule).</summary>
internal sealed class HoconNullNode(ConfigOrigin origin) : HoconScalarNode(origin)
{
    public override string TypeName => "null";

    public override string ConcatText => "";
}
