using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TpActors.Runtime.Configuration.Hocon;

/// <summary>Writes a resolved tree as indented JSON with object keys in ordinal order, numbers as written.</summary>
internal static class JsonRenderer
{
    public static string Render(HoconValue root)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            Write(writer, root);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, HoconValue value)
    {
        switch (value)
        {
            case HoconObject obj:
                writer.WriteStartObject();
                foreach (var (key, child) in obj.Fields.OrderBy(f => f.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    Write(writer, child);
                }
                writer.WriteEndObject();
                break;
            case HoconList list:
                writer.WriteStartArray();
                foreach (var item in list.Items) Write(writer, item);
                writer.WriteEndArray();
                break;
            case HoconString s: writer.WriteStringValue(s.Value); break;
            case HoconNumber n: writer.WriteRawValue(n.JsonText); break;
            case HoconBoolean b: writer.WriteBooleanValue(b.Value); break;
            case HoconNull: writer.WriteNullValue(); break;
            default: throw new InvalidOperationException($"cannot render an unresolved {value.TypeName}");
        }
    }
}
