using System.Text;

namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>Writes a resolved tree as HOCON that parses back to the same tree; optionally with the <c>file:line</c> of each value as a comment.</summary>
internal static class HoconRenderer
{
    private const int Indent = 2;

    public static string Render(HoconObject root, bool withOrigins)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in root.Fields) WriteField(sb, key, value, 0, withOrigins);
        return sb.ToString();
    }

    private static void WriteField(StringBuilder sb, string key, HoconValue value, int depth, bool withOrigins)
    {
        sb.Append(' ', depth * Indent).Append(HoconPath.RenderKey(key));
        if (value is HoconObject obj && obj.Count > 0)
        {
            sb.Append(" {\n");
            foreach (var (k, v) in obj.Fields) WriteField(sb, k, v, depth + 1, withOrigins);
            sb.Append(' ', depth * Indent).Append("}\n");
            return;
        }
        sb.Append(" = ");
        WriteValue(sb, value, depth);
        if (withOrigins) sb.Append("  # ").Append(value.Origin.ToFileAndLine());
        sb.Append('\n');
    }

    private static void WriteValue(StringBuilder sb, HoconValue value, int depth)
    {
        switch (value)
        {
            case HoconObject obj:
                if (obj.Count == 0) { sb.Append("{}"); break; }
                sb.Append("{\n");
                foreach (var (k, v) in obj.Fields) WriteField(sb, k, v, depth + 1, withOrigins: false);
                sb.Append(' ', depth * Indent).Append('}');
                break;
            case HoconList list:
                sb.Append('[');
                for (int i = 0; i < list.Items.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    WriteValue(sb, list.Items[i], depth);
                }
                sb.Append(']');
                break;
            case HoconString s: sb.Append(HoconStrings.Quote(s.Value)); break;
            case HoconNumber n: sb.Append(n.JsonText); break;
            case HoconBoolean b: sb.Append(b.ConcatText); break;
            case HoconNull: sb.Append("null"); break;
            default: throw new InvalidOperationException($"cannot render an unresolved {value.TypeName}");
        }
    }
}
