using System.Text;

namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>
/// Builds a <see cref="HoconPath"/> from the tokens of a key or a substitution (HOCON.md, "Path expressions"):
/// unquoted text splits on '.', quoted text never does, whitespace inside is kept, around it is trimmed.
/// </summary>
internal static class HoconPathBuilder
{
    public static HoconPath FromTokens(IReadOnlyList<HoconToken> tokens, ConfigOrigin origin)
    {
        int first = 0, last = tokens.Count - 1;
        while (first <= last && tokens[first].Kind == HoconTokenKind.Whitespace) first++;
        while (last >= first && tokens[last].Kind == HoconTokenKind.Whitespace) last--;
        if (first > last) throw new ConfigParseException(origin, "expected a key or path, found nothing");

        var keys = new List<string>();
        var key = new StringBuilder();
        bool keyHasText = false;
        for (int i = first; i <= last; i++)
        {
            var t = tokens[i];
            switch (t.Kind)
            {
                case HoconTokenKind.QuotedString:
                    key.Append(t.Text);
                    keyHasText = true;
                    break;
                case HoconTokenKind.Whitespace:
                    key.Append(t.Text);
                    break;
                case HoconTokenKind.UnquotedText or HoconTokenKind.Number or HoconTokenKind.Boolean or HoconTokenKind.Null:
                    var pieces = t.Text.Split('.');
                    for (int p = 0; p < pieces.Length; p++)
                    {
                        if (p > 0)
                        {
                            FinishKey(t.Origin);
                        }
                        key.Append(pieces[p]);
                        if (pieces[p].Length > 0) keyHasText = true;
                    }
                    break;
                default:
                    throw new ConfigParseException(t.Origin, $"{t.Describe()} is not allowed in a key or path");
            }
        }
        FinishKey(tokens[last].Origin);
        return new HoconPath([.. keys]);

        void FinishKey(ConfigOrigin at)
        {
            if (!keyHasText && key.Length == 0)
                throw new ConfigParseException(at, "path has an empty key: a leading, trailing or doubled '.' (quote \"\" for an empty key)");
            // Each key but the last opens an object, as a brace does, so a path has at most one key more than the nesting limit.
            if (keys.Count > HoconParseOptions.MaxNestingDepth)
                throw new ConfigParseException(origin, $"a path of more than {HoconParseOptions.MaxNestingDepth + 1} keys nests deeper than objects may ({HoconParseOptions.MaxNestingDepth})");
            keys.Add(key.ToString());
            key.Clear();
            keyHasText = false;
        }
    }
}
