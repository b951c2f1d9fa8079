using System.Text;

namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>Writes a resolved tree as HOCON that parses back to the same tree; optionally with the <c>file:line</c> of each value as a comment.</summary>
internal static class HoconRenderer
{
    private const int Indent = 2;

    public static string Render(HoconObjectNode root, bool withOrigins)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in root.Fields) WriteField(sb, key, value, 0, withOrigins);
        return sb.ToString();
    }

    private static void WriteField(StringBuilder sb, string key, HoconNode value, int depth, bool withOrigins)
    {
        sb.Append(' ', depth * Indent).Append(HoconPath.RenderKey(key));
        if (value is HoconObjectNode obj && obj.Count > 0)
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

    private static void WriteValue(StringBuilder sb, HoconNode value, int depth)
    {
        switch (value)
        {
            case HoconObjectNode obj:
                if (obj.Count == 0) { sb.Append("{}"); break; }
                sb.Append("{\n");
                foreach (var (k, v) in obj.Fields) WriteField(sb, k, v, depth + 1, withOrigins: false);
                sb.Append(' ', depth * Indent).Append('}');
                break;
            case HoconListNode list:
                sb.Append('[');
                for (int i = 0; i < list.Items.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    WriteValue(sb, list.Items[i], depth);
                }
                sb.Append(']');
                break;
            case HoconStringNode s: sb.Append(HoconStrings.Quote(s.Value)); break;
            case HoconNumberNode n: sb.Append(n.JsonText); break;
            case HoconBooleanNode b: sb.Append(b.ConcatText); break;
            case HoconNullNode: sb.Append("null"); break;
            default: throw new InvalidOperationException($"cannot render an unresolved {value.TypeName}");
        }
    }
}
