using System.Text.Encodings.Web;
using System.Text.Json;

namespace TpActors.Host;

/// <summary>The one way the command line writes JSON: a single line, text kept readable ("×", "'", "+" as themselves).</summary>
internal static class JsonOutput
{
    // The default encoder escapes every non-ASCII character and HTML-sensitive ones ('<', '>', '&', '\'', '+'),
    // which only matters for JSON embedded in HTML; a console and a pipe want the characters themselves.
    private static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="document"/> as one JSON line.</summary>
    public static void WriteLine(TextWriter output, object document) =>
        output.WriteLine(JsonSerializer.Serialize(document, Options));
}
