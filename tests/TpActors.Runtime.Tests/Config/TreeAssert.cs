using System.Text.Json;
using TpActors.Runtime.Configuration;
using TpActors.Runtime.Configuration.Hocon;

namespace TpActors.Runtime.Tests.Configuration;

/// <summary>Compares a configuration tree with JSON read by System.Text.Json, an oracle independent of the HOCON parser.</summary>
internal static class TreeAssert
{
    public static void Equal(string expectedJson, HoconConfig actual)
    {
        using var doc = JsonDocument.Parse(expectedJson);
        Equal(doc.RootElement, actual.Root, "<root>");
    }

    public static void Equal(JsonElement expected, HoconNode actual, string path)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = Assert.IsType<HoconObjectNode>(actual, exactMatch: false);
                var expectedKeys = expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                var actualKeys = obj.Keys.Order(StringComparer.Ordinal).ToList();
                Assert.True(expectedKeys.SequenceEqual(actualKeys),
                    $"keys at {path}: expected [{string.Join(", ", expectedKeys)}] but found [{string.Join(", ", actualKeys)}]");
                foreach (var property in expected.EnumerateObject())
                    Equal(property.Value, obj.Get(property.Name)!, $"{path}.{property.Name}");
                break;
            case JsonValueKind.Array:
                var list = Assert.IsType<HoconListNode>(actual, exactMatch: false);
                var items = expected.EnumerateArray().ToList();
                Assert.True(items.Count == list.Items.Count, $"length at {path}: expected {items.Count} but found {list.Items.Count}");
                for (int i = 0; i < items.Count; i++) Equal(items[i], list.Items[i], $"{path}[{i}]");
                break;
            case JsonValueKind.String:
                var s = Assert.IsType<HoconStringNode>(actual, exactMatch: false);
                Assert.True(expected.GetString() == s.Value, $"string at {path}: expected {JsonSerializer.Serialize(expected.GetString())} but found {JsonSerializer.Serialize(s.Value)}");
                break;
            case JsonValueKind.Number:
                var n = Assert.IsType<HoconNumberNode>(actual, exactMatch: false);
                Assert.True(expected.GetDouble() == n.Value, $"number at {path}: expected {expected.GetRawText()} but found {n.Text}");
                break;
            case JsonValueKind.True or JsonValueKind.False:
                var b = Assert.IsType<HoconBooleanNode>(actual, exactMatch: false);
                Assert.True(expected.GetBoolean() == b.Value, $"boolean at {path}: expected {expected.GetBoolean()} but found {b.Value}");
                break;
            case JsonValueKind.Null:
                Assert.IsType<HoconNullNode>(actual, exactMatch: false);
                break;
        }
    }

    /// <summary>Parses HOCON text (no environment fallback) and compares it with the expected JSON.</summary>
    public static void Parses(string hocon, string expectedJson) =>
        Equal(expectedJson, ConfigFactory.ParseString(hocon, "test.conf").Resolve(useEnvironment: false));

    /// <summary>Asserts that parsing and resolving fails, and returns the error for checks on its position and message.</summary>
    public static ConfigException Fails(string hocon)
    {
        return Assert.ThrowsAny<ConfigException>(() => ConfigFactory.ParseString(hocon, "test.conf").Resolve(useEnvironment: false));
    }
}
