using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>Writes a resolved tree as indented JSON with object keys in ordinal order, numbers as written.</summary>
internal static class JsonRenderer
{
    public static string Render(HoconNode root)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(writer, root);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, HoconNode value)
    {
        switch (value)
        {
            case HoconObjectNode obj:
                writer.WriteStartObject();
                foreach (var (key, child) in obj.Fields.OrderBy(f => f.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    Write(writer, child);
                }
                writer.WriteEndObject();
                break;
            case HoconListNode list:
                writer.WriteStartArray();
                foreach (var item in list.Items) Write(writer, item);
                writer.WriteEndArray();
                break;
            case HoconStringNode s: writer.WriteStringValue(s.Value); break;
            case HoconNumberNode n: writer.WriteRawValue(n.JsonText); break;
            case HoconBooleanNode b: writer.WriteBooleanValue(b.Value); break;
            case HoconNullNode: writer.WriteNullValue(); break;
            default: throw new InvalidOperationException($"cannot render an unresolved {value.TypeName}");
        }
    }
}
