using System.Text;

namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>Character classes of the HOCON specification and JSON string quoting.</summary>
internal static class HoconStrings
{
    /// <summary>Characters that may not appear in an unquoted string (besides whitespace and the start of "//").</summary>
    public const string ForbiddenUnquoted = "$\"{}[]:=,+#`^?!@*&\\";

    /// <summary>HOCON whitespace: Unicode space separators, tab, LF, VT, FF, CR, the file/group/record/unit separators and BOM.</summary>
    public static bool IsWhitespace(char c) => c switch
    {
        ' ' or '\t' or '\n' or '\v' or '\f' or '\r' or '\uFEFF' => true,
        >= '\u001C' and <= '\u001F' => true,
        _ => char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.SpaceSeparator
            or System.Globalization.UnicodeCategory.LineSeparator
            or System.Globalization.UnicodeCategory.ParagraphSeparator,
    };

    public static bool IsForbiddenUnquoted(char c) => ForbiddenUnquoted.Contains(c) || IsWhitespace(c);

    /// <summary>JSON-quotes a string, escaping quotes, backslashes and control characters.</summary>
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20) sb.Append($"\\u{(int)c:x4}");
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
        return sb.ToString();
    }

    /// <summary>Shows a value in an error message: quoted and shortened when long.</summary>
    public static string Excerpt(string text, int max = 40) =>
        Quote(text.Length <= max ? text : text[..max] + "…");
}
