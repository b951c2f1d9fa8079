namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>A boolean value.</summary>
internal sealed class HoconBooleanNode(bool value, ConfigOrigin origin) : HoconScalarNode(origin)
{
    public bool Value { get; } = value;

    public override string TypeName => "boolean";

    public override string ConcatText => Value ? "true" : "false";
}
