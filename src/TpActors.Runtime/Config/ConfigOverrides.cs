using TpActors.Runtime.Configuration.Hocon;

namespace TpActors.Runtime.Configuration;

/// <summary>
/// Command-line overrides <c>-D path=value</c>, later ones winning. The value is read as a HOCON value
/// (so numbers, booleans, lists, objects and substitutions work); text that is not valid HOCON, or that
/// holds '#' or "//" (which HOCON would read as a comment, as in URLs), is taken as a plain string. A value
/// starting with '[', '{' or '"' must be valid HOCON. Origins read <c>-D[n]:1:column</c>.
/// </summary>
public static class ConfigOverrides
{
    /// <summary>Parses the overrides into one configuration, the last override of a path winning.</summary>
    public static HoconConfig Parse(IReadOnlyList<string> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var result = HoconConfig.Empty;
        for (int i = 0; i < overrides.Count; i++)
            result = new HoconConfig(ParseOne(overrides[i], $"-D[{i + 1}]")).WithFallback(result);
        return result;
    }

    private static HoconObjectNode ParseOne(string text, string source)
    {
        int equals = IndexOfSeparator(text);
        if (equals <= 0)
            throw new ConfigParseException(new ConfigOrigin(source, 1, 1), $"expected path=value, found {HoconStrings.Excerpt(text)}");
        var path = HoconPath.Parse(text[..equals], source);
        string raw = text[(equals + 1)..];
        var valueOrigin = new ConfigOrigin(source, 1, equals + 2);

        bool mustParse = raw.TrimStart() is ['[' or '{' or '"', ..];
        bool looksLikeComment = raw.Contains('#') || raw.Contains("//");
        var value = looksLikeComment && !mustParse ? new HoconStringNode(raw, valueOrigin) : ParseValue(raw, equals, source, valueOrigin, mustParse);

        for (int i = path.Length - 1; i >= 0; i--)
        {
            var fields = new OrderedDictionary<string, HoconNode>(StringComparer.Ordinal) { [path[i]] = value };
            value = new HoconObjectNode(fields, new ConfigOrigin(source, 1, 1));
        }
        return (HoconObjectNode)value;
    }

    private static HoconNode ParseValue(string raw, int equals, string source, ConfigOrigin valueOrigin, bool mustParse)
    {
        try
        {
            // Padding keeps columns in errors equal to columns in the original "-D path=value" text.
            return HoconParser.ParseSingleValue(new string(' ', equals + 1) + raw, source);
        }
        catch (ConfigParseException) when (!mustParse)
        {
            return new HoconStringNode(raw, valueOrigin);
        }
    }

    // The first '=' outside double quotes: -D 'a."b=c"=1' sets key b=c.
    private static int IndexOfSeparator(string text)
    {
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '"' && (i == 0 || text[i - 1] != '\\')) quoted = !quoted;
            else if (text[i] == '=' && !quoted) return i;
        }
        return -1;
    }
}
