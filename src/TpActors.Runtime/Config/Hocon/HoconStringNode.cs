namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>A string value.</summary>
/// <param name="value">The characters of the string.</param>
/// <param name="origin">Where the string was written.</param>
/// <param name="isSeparator">True for the unquoted whitespace between two parts of a concatenation, which object and list concatenations ignore.</param>
internal sealed class HoconStringNode(string value, ConfigOrigin origin, bool isSeparator = false) : HoconScalarNode(origin)
{
    public string Value { get; } = value;

    public bool IsSeparator { get; } = isSeparator;

    public override string TypeName => "string";

    public override string ConcatText => Value;
}
