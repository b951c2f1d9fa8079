using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TpActors.Layers.Models;

/// <summary>
/// A <see cref="ModelSpec"/> as JSON, in checkpoint metadata and in messages: <c>{"kind": "mlp-stack", "layers": 2, …}</c>,
/// the kind first (it picks the spec type among <see cref="ModelKinds"/>), then the spec record's own properties (what
/// <see cref="ModelSpec"/> itself declares is not a field). Read in one pass with the document, so a wrong field is
/// reported at its path, line and column.
/// </summary>
public static class ModelSpecJson
{
    /// <summary>The property that names a spec's kind.</summary>
    public const string KindField = "kind";

    private static readonly HashSet<string> ContractProperties = typeof(ModelSpec).GetProperties().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

    private static readonly JsonSerializerOptions CompactTemplate = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    // Options made from a template for the kinds registered at the time (a kind registered later makes new ones).
    private static readonly ConcurrentDictionary<(JsonSerializerOptions Template, int Kinds), JsonSerializerOptions> Made = new();

    /// <summary>
    /// A copy of <paramref name="template"/> that reads and writes model specs as above, for the kinds registered now (the
    /// copy is cached; the template is left as it is).
    /// </summary>
    public static JsonSerializerOptions Options(JsonSerializerOptions template) => Made.GetOrAdd((template, ModelKinds.Count), key =>
    {
        var kinds = ModelKinds.Registered;
        return new JsonSerializerOptions(key.Template)
        {
            AllowOutOfOrderMetadataProperties = true, // a hand-edited file may move the kind
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { info => Contract(info, kinds) } },
        };
    });

    /// <summary><paramref name="spec"/> as one line of JSON.</summary>
    public static string ToJson(ModelSpec spec) => JsonSerializer.Serialize(spec, Options(CompactTemplate));

    /// <summary>The spec in <paramref name="json"/> (which names its kind).</summary>
    /// <exception cref="JsonException">Not a model spec of a registered kind.</exception>
    public static ModelSpec FromJson(string json) => JsonSerializer.Deserialize<ModelSpec>(json, Options(CompactTemplate)) ?? throw new JsonException("The model is null.");

    /// <summary>The fields of <paramref name="spec"/> (its kind first), each as its JSON name and value, in order.</summary>
    public static IReadOnlyList<(string Name, JsonElement Value)> Fields(ModelSpec spec)
    {
        using var document = JsonDocument.Parse(ToJson(spec));
        return document.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.Clone())).ToList();
    }

    /// <summary>
    /// <paramref name="json"/>, a document whose top-level <paramref name="property"/> is a model, with
    /// <c>"kind": "mlp-stack"</c> added to the model when it names none (every checkpoint written before kinds holds one).
    /// The kind goes on the line of the model's opening brace, so the lines and columns of everything else stay as they were.
    /// </summary>
    public static string WithDefaultKind(string json, string property)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return json;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isModel = reader.ValueTextEquals(property);
                reader.Read();
                if (isModel && reader.TokenType == JsonTokenType.StartObject)
                {
                    long brace = reader.TokenStartIndex;
                    if (NamesKind(ref reader)) return json;
                    string before = Encoding.UTF8.GetString(bytes, 0, (int)brace + 1);
                    return before + $" \"{KindField}\": \"{MlpStackSpec.KindName}\"," + Encoding.UTF8.GetString(bytes, (int)brace + 1, bytes.Length - (int)brace - 1);
                }
                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON: left as it is, for the reader to report where.
        }
        return json;
    }

    // Whether the object the reader is at the start of has a kind of its own (the reader ends inside or after it).
    private static bool NamesKind(ref Utf8JsonReader reader)
    {
        int depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType != JsonTokenType.PropertyName) continue;
            if (reader.ValueTextEquals(KindField)) return true;
            reader.Read();
            reader.Skip();
        }
        return false;
    }

    // The base spec is polymorphic on its kind; a spec type's fields are its own properties.
    private static void Contract(JsonTypeInfo info, IReadOnlyDictionary<string, Type> kinds)
    {
        if (info.Type == typeof(ModelSpec))
        {
            info.PolymorphismOptions = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = KindField };
            foreach (var (kind, type) in kinds) info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type, kind));
            return;
        }
        if (!typeof(ModelSpec).IsAssignableFrom(info.Type) || info.Kind != JsonTypeInfoKind.Object) return;
        foreach (var property in info.Properties.Where(p => p.AttributeProvider is System.Reflection.PropertyInfo declared && ContractProperties.Contains(declared.Name)).ToList())
            info.Properties.Remove(property);
    }
}
