using System.Globalization;
using System.Text.RegularExpressions;

namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>A number, kept with the text it was written as so that concatenation and rendering reproduce it.</summary>
internal sealed partial class HoconNumberNode : HoconScalarNode
{
    private HoconNumberNode(string text, long? integer, double value, ConfigOrigin origin) : base(origin)
    {
        Text = text;
        Integer = integer;
        Value = value;
    }

    /// <summary>The number as written, e.g. <c>3.14</c> or <c>1e5</c>.</summary>
    public string Text { get; }

    /// <summary>The value when it was written as an integer that fits in 64 bits.</summary>
    public long? Integer { get; }

    /// <summary>The value as a double.</summary>
    public double Value { get; }

    public override string TypeName => "number";

    public override string ConcatText => Text;

    /// <summary>Text in JSON number syntax: the written text when it already is, a canonical form otherwise.</summary>
    public string JsonText => JsonNumber().IsMatch(Text) ? Text : Integer?.ToString(CultureInfo.InvariantCulture) ?? Value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Reads a number as HOCON's tokenizer does: an integer when there is no '.', 'e' or 'E', a double otherwise.</summary>
    public static bool TryParse(string text, ConfigOrigin origin, out HoconNumberNode? number)
    {
        number = null;
        if (text.Length == 0 || text[0] == '+') return false;
        bool isDouble = text.AsSpan().IndexOfAny(".eE") >= 0;
        if (!isDouble && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
        {
            number = new HoconNumberNode(text, l, l, origin);
            return true;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d))
        {
            number = new HoconNumberNode(text, null, d, origin);
            return true;
        }
        return false;
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex JsonNumber();
}
