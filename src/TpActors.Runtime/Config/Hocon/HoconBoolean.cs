namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>A boolean value.</summary>
internal sealed class HoconBoolean(bool value, ConfigOrigin origin) : HoconScalar(origin)
{
    public bool Value { get; } = value;

    public override string TypeName => "boolean";

    public override string ConcatText => Value ? "true" : "false";
}
