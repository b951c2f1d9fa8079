using System.Globalization;
using TpActors.Runtime.Configuration.Hocon;

namespace TpActors.Runtime.Configuration;

/// <summary>
/// Reads a value as a requested type with HOCON's automatic conversions ("Automatic type conversions"):
/// numbers and booleans read as strings, numeric strings as numbers, yes/no/on/off as booleans, objects
/// with integer keys as lists. Never converts null, objects or lists to anything else. Every failure is a
/// <see cref="ConfigTypeException"/> naming the path, the expected type, the value and where it was set.
/// </summary>
internal static class ConfigValueReader
{
    public static string ReadString(HoconNode value, string path) => value switch
    {
        HoconStringNode or HoconNumberNode or HoconBooleanNode => ((HoconScalarNode)value).ConcatText,
        _ => throw WrongType(value, path, "a string"),
    };

    public static bool ReadBoolean(HoconNode value, string path) => value switch
    {
        HoconBooleanNode b => b.Value,
        HoconStringNode { Value: "true" or "yes" or "on" } => true,
        HoconStringNode { Value: "false" or "no" or "off" } => false,
        _ => throw WrongType(value, path, "a boolean (true/false, yes/no, on/off)"),
    };

    public static double ReadDouble(HoconNode value, string path) =>
        AsNumber(value) is { } n ? n.Value : throw WrongType(value, path, "a number");

    public static float ReadSingle(HoconNode value, string path)
    {
        double d = ReadDouble(value, path);
        float single = (float)d;
        if (single == 0 && d != 0) throw WrongType(value, path, "a float32", $"float32 would hold it as 0: the smallest is {float.Epsilon:G2}");
        if (float.IsInfinity(single) && !double.IsInfinity(d)) throw WrongType(value, path, "a float32", $"float32 would hold it as infinity: the largest is {float.MaxValue:G2}");
        return single;
    }

    public static long ReadLong(HoconNode value, string path)
    {
        const string expected = "a whole number";
        var n = AsNumber(value) ?? throw WrongType(value, path, expected);
        if (n.Integer is { } l) return l;
        if (n.Value == Math.Floor(n.Value) && n.Value >= long.MinValue && n.Value <= long.MaxValue) return (long)n.Value;
        throw WrongType(value, path, expected, "it has a fractional part or does not fit in 64 bits");
    }

    public static int ReadInt(HoconNode value, string path)
    {
        long l = ReadLong(value, path);
        if (l is < int.MinValue or > int.MaxValue) throw WrongType(value, path, "a whole number", "it does not fit in 32 bits");
        return (int)l;
    }

    public static TimeSpan ReadDuration(HoconNode value, string path)
    {
        const string expected = "a duration such as 250ms, 10s or 5 minutes";
        switch (value)
        {
            case HoconNumberNode n:
                return TimeSpan.FromMilliseconds(n.Value);
            case HoconStringNode s:
                return ConfigUnits.ParseDuration(s.Value, out var error) ?? throw WrongType(value, path, expected, error);
            default:
                throw WrongType(value, path, expected);
        }
    }

    public static long ReadBytes(HoconNode value, string path)
    {
        const string expected = "a size in bytes such as 512kB or 64 MiB";
        switch (value)
        {
            case HoconNumberNode n when n.Integer is { } l && l >= 0:
                return l;
            case HoconStringNode s:
                return ConfigUnits.ParseBytes(s.Value, out var error) ?? throw WrongType(value, path, expected, error);
            default:
                throw WrongType(value, path, expected);
        }
    }

    /// <summary>A list, or an object whose integer keys ("0", "1", …) give the order of a list (other keys ignored).</summary>
    public static IReadOnlyList<HoconNode> ReadList(HoconNode value, string path)
    {
        if (value is HoconListNode list) return list.Items;
        if (value is HoconObjectNode obj)
        {
            var indexed = obj.Fields
                .Select(f => (Ok: int.TryParse(f.Key, NumberStyles.None, CultureInfo.InvariantCulture, out int i), Index: i, f.Value))
                .Where(e => e.Ok)
                .OrderBy(e => e.Index)
                .Select(e => e.Value)
                .ToList();
            if (indexed.Count > 0) return indexed;
        }
        throw WrongType(value, path, "a list");
    }

    public static HoconObjectNode ReadObject(HoconNode value, string path) =>
        value as HoconObjectNode ?? throw WrongType(value, path, "an object (a section of settings)");

    /// <summary>The value as a message shows it: <c>string "12 parsecs"</c>, <c>number 1.5</c>, <c>a list</c>.</summary>
    public static string Describe(HoconNode value) => value switch
    {
        HoconStringNode s => $"string {HoconStrings.Excerpt(s.Value)}",
        HoconNumberNode n => $"number {n.Text}",
        HoconBooleanNode b => $"boolean {b.ConcatText}",
        HoconNullNode => "null",
        HoconObjectNode => "an object",
        HoconListNode l => $"a list of {l.Items.Count}",
        _ => value.TypeName,
    };

    private static HoconNumberNode? AsNumber(HoconNode value) => value switch
    {
        HoconNumberNode n => n,
        HoconStringNode s when HoconNumberNode.TryParse(s.Value.Trim(), s.Origin, out var parsed) => parsed,
        _ => null,
    };

    private static ConfigTypeException WrongType(HoconNode value, string path, string expected, string? reason = null) =>
        new(path, expected, Describe(value), value.Origin, reason);
}
