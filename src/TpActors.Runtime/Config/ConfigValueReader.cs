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
    public static string ReadString(HoconValue value, string path) => value switch
    {
        HoconString or HoconNumber or HoconBoolean => ((HoconScalar)value).ConcatText,
        _ => throw WrongType(value, path, "a string"),
    };

    public static bool ReadBoolean(HoconValue value, string path) => value switch
    {
        HoconBoolean b => b.Value,
        HoconString { Value: "true" or "yes" or "on" } => true,
        HoconString { Value: "false" or "no" or "off" } => false,
        _ => throw WrongType(value, path, "a boolean (true/false, yes/no, on/off)"),
    };

    public static double ReadDouble(HoconValue value, string path) =>
        AsNumber(value) is { } n ? n.Value : throw WrongType(value, path, "a number");

    public static long ReadLong(HoconValue value, string path)
    {
        const string expected = "a whole number";
        var n = AsNumber(value) ?? throw WrongType(value, path, expected);
        if (n.Integer is { } l) return l;
        if (n.Value == Math.Floor(n.Value) && n.Value >= long.MinValue && n.Value <= long.MaxValue) return (long)n.Value;
        throw WrongType(value, path, expected, "it has a fractional part or does not fit in 64 bits");
    }

    public static int ReadInt(HoconValue value, string path)
    {
        long l = ReadLong(value, path);
        if (l is < int.MinValue or > int.MaxValue) throw WrongType(value, path, "a whole number", "it does not fit in 32 bits");
        return (int)l;
    }

    public static TimeSpan ReadDuration(HoconValue value, string path)
    {
        const string expected = "a duration such as 250ms, 10s or 5 minutes";
        switch (value)
        {
            case HoconNumber n:
                return TimeSpan.FromMilliseconds(n.Value);
            case HoconString s:
                return ConfigUnits.ParseDuration(s.Value, out var error) ?? throw WrongType(value, path, expected, error);
            default:
                throw WrongType(value, path, expected);
        }
    }

    public static long ReadBytes(HoconValue value, string path)
    {
        const string expected = "a size in bytes such as 512kB or 64 MiB";
        switch (value)
        {
            case HoconNumber n when n.Integer is { } l && l >= 0:
                return l;
            case HoconString s:
                return ConfigUnits.ParseBytes(s.Value, out var error) ?? throw WrongType(value, path, expected, error);
            default:
                throw WrongType(value, path, expected);
        }
    }

    /// <summary>A list, or an object whose integer keys ("0", "1", …) give the order of a list (other keys ignored).</summary>
    public static IReadOnlyList<HoconValue> ReadList(HoconValue value, string path)
    {
        if (value is HoconList list) return list.Items;
        if (value is HoconObject obj)
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

    public static HoconObject ReadObject(HoconValue value, string path) =>
        value as HoconObject ?? throw WrongType(value, path, "an object (a section of settings)");

    /// <summary>The value as a message shows it: <c>string "12 parsecs"</c>, <c>number 1.5</c>, <c>a list</c>.</summary>
    public static string Describe(HoconValue value) => value switch
    {
        HoconString s => $"string {HoconStrings.Excerpt(s.Value)}",
        HoconNumber n => $"number {n.Text}",
        HoconBoolean b => $"boolean {b.ConcatText}",
        HoconNull => "null",
        HoconObject => "an object",
        HoconList l => $"a list of {l.Items.Count}",
        _ => value.TypeName,
    };

    private static HoconNumber? AsNumber(HoconValue value) => value switch
    {
        HoconNumber n => n,
        HoconString s when HoconNumber.TryParse(s.Value.Trim(), s.Origin, out var parsed) => parsed,
        _ => null,
    };

    private static ConfigTypeException WrongType(HoconValue value, string path, string expected, string? reason = null) =>
        new(path, expected, Describe(value), value.Origin, reason);
}
