using System.Text.Json;
using System.Text.Json.Serialization;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Models;

/// <summary>An <see cref="Activation"/> in JSON as its name ("gelu", "gelu-tanh", "relu"; see <see cref="ActivationNames"/>).</summary>
public sealed class ActivationNameConverter : JsonConverter<Activation>
{
    /// <inheritdoc/>
    public override Activation Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("The activation must be a string.");
        try
        {
            return ActivationNames.Parse(reader.GetString()!, "the checkpoint's activation");
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message);
        }
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, Activation value, JsonSerializerOptions options) => writer.WriteStringValue(ActivationNames.Name(value));
}
