using System.Globalization;

namespace TpActors.Runtime.Configuration;

/// <summary>Durations and sizes in bytes written as a number and a unit (HOCON.md, "Units format"): <c>250ms</c>, <c>1.5 s</c>, <c>64 MiB</c>, <c>512kB</c>.</summary>
public static class ConfigUnits
{
    private static readonly Dictionary<string, double> DurationNanos = Build(
        (1d, ["ns", "nano", "nanos", "nanosecond", "nanoseconds"]),
        (1e3, ["us", "micro", "micros", "microsecond", "microseconds"]),
        (1e6, ["ms", "milli", "millis", "millisecond", "milliseconds"]),
        (1e9, ["s", "second", "seconds"]),
        (60e9, ["m", "minute", "minutes"]),
        (3600e9, ["h", "hour", "hours"]),
        (86400e9, ["d", "day", "days"]));

    private static readonly Dictionary<string, double> ByteMultipliers = Build(
        (1d, ["B", "b", "byte", "bytes"]),
        (1e3, ["kB", "kilobyte", "kilobytes"]),
        (1e6, ["MB", "megabyte", "megabytes"]),
        (1e9, ["GB", "gigabyte", "gigabytes"]),
        (1e12, ["TB", "terabyte", "terabytes"]),
        (1e15, ["PB", "petabyte", "petabytes"]),
        (1e18, ["EB", "exabyte", "exabytes"]),
        (1024d, ["K", "k", "Ki", "KiB", "kibibyte", "kibibytes"]),
        (1024d * 1024, ["M", "m", "Mi", "MiB", "mebibyte", "mebibytes"]),
        (1024d * 1024 * 1024, ["G", "g", "Gi", "GiB", "gibibyte", "gibibytes"]),
        (1024d * 1024 * 1024 * 1024, ["T", "t", "Ti", "TiB", "tebibyte", "tebibytes"]),
        (Math.Pow(1024, 5), ["P", "p", "Pi", "PiB", "pebibyte", "pebibytes"]),
        (Math.Pow(1024, 6), ["E", "e", "Ei", "EiB", "exbibyte", "exbibytes"]));

    /// <summary>The duration units accepted, for messages.</summary>
    public const string DurationUnitList = "ns, us, ms, s, m, h, d (or their long names such as seconds)";

    /// <summary>The size units accepted, for messages.</summary>
    public const string ByteUnitList = "B, kB, MB, GB, TB, PB, EB (powers of 10) or K/KiB, M/MiB, G/GiB, T/TiB, P/PiB, E/EiB (powers of 2)";

    /// <summary>Reads a duration; a number without a unit is milliseconds. Returns null and a reason when the text is not one.</summary>
    public static TimeSpan? ParseDuration(string text, out string? error)
    {
        if (!TryScale(text, DurationNanos, "ms", "a duration", DurationUnitList, out double nanos, out error)) return null;
        double ticks = nanos / 100d; // a TimeSpan tick is 100 ns
        if (Math.Abs(ticks) > TimeSpan.MaxValue.Ticks)
        {
            error = "the duration is too long";
            return null;
        }
        return TimeSpan.FromTicks((long)Math.Round(ticks));
    }

    /// <summary>Reads a size in bytes; a number without a unit is bytes. Returns null and a reason when the text is not one.</summary>
    public static long? ParseBytes(string text, out string? error)
    {
        if (!TryScale(text, ByteMultipliers, "B", "a size", ByteUnitList, out double bytes, out error)) return null;
        bytes = Math.Round(bytes);
        if (bytes < 0 || bytes > long.MaxValue)
        {
            error = bytes < 0 ? "a size cannot be negative" : "the size does not fit in 64 bits";
            return null;
        }
        return (long)bytes;
    }

    /// <summary>A duration as HOCON writes it, in the largest unit that keeps it whole: <c>0s</c>, <c>-5s</c>, <c>250ms</c>, <c>2m</c>, <c>1500us</c>.</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        long ticks = duration.Ticks;
        if (ticks == 0) return "0s";
        foreach (var (unit, perUnit) in new (string, long)[] { ("d", TimeSpan.TicksPerDay), ("h", TimeSpan.TicksPerHour), ("m", TimeSpan.TicksPerMinute),
                     ("s", TimeSpan.TicksPerSecond), ("ms", TimeSpan.TicksPerMillisecond), ("us", 10) })
            if (ticks % perUnit == 0) return (ticks / perUnit).ToString(CultureInfo.InvariantCulture) + unit;
        return (ticks * 100).ToString(CultureInfo.InvariantCulture) + "ns";
    }

    /// <summary>A size as HOCON writes it, in the largest power-of-two unit that keeps it whole: <c>0 B</c>, <c>512 B</c>, <c>64 MiB</c>, <c>1536 KiB</c>.</summary>
    public static string FormatBytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        int u = 0;
        while (u < units.Length - 1 && bytes != 0 && bytes % 1024 == 0)
        {
            bytes /= 1024;
            u++;
        }
        return bytes.ToString(CultureInfo.InvariantCulture) + " " + units[u];
    }

    /// <summary>A size rounded for reading, in the largest power-of-two unit below it: <c>512 bytes</c>, <c>12 MiB</c>, <c>104.1 GiB</c>.</summary>
    public static string FormatBytesRounded(double bytes)
    {
        string[] units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        int u = 0;
        while (bytes >= 1024 && u < units.Length - 1)
        {
            bytes /= 1024;
            u++;
        }
        return u == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes:0} bytes") : string.Create(CultureInfo.InvariantCulture, $"{bytes:0.#} {units[u]}");
    }

    // The number times the factor of its unit (or of `defaultUnit` when none is written).
    private static bool TryScale(string text, Dictionary<string, double> units, string defaultUnit, string family, string unitList, out double scaled, out string? error)
    {
        scaled = 0;
        if (!Split(text, out double number, out string unit, out error)) return false;
        if (unit.Length == 0) unit = defaultUnit;
        if (!units.TryGetValue(unit, out double factor))
        {
            error = $"'{unit}' is not {family} unit; use {unitList}";
            return false;
        }
        scaled = number * factor;
        return true;
    }

    /// <summary>True when the text is a number followed by a known duration unit (used to infer a setting's type from its default).</summary>
    internal static bool HasDurationUnit(string text) =>
        Split(text, out _, out string unit, out _) && DurationNanos.ContainsKey(unit);

    /// <summary>True when the text is a number followed by a known size unit.</summary>
    internal static bool HasByteUnit(string text) =>
        Split(text, out _, out string unit, out _) && ByteMultipliers.ContainsKey(unit);

    // "  1.5 ms " -> (1.5, "ms"). The unit is letters only, as the specification requires.
    private static bool Split(string text, out double number, out string unit, out string? error)
    {
        var s = text.Trim();
        int end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] is '.' or '-' or '+')) end++;
        unit = s[end..].Trim();
        if (!double.TryParse(s.AsSpan(0, end), NumberStyles.Float, CultureInfo.InvariantCulture, out number))
        {
            error = "it does not start with a number";
            return false;
        }
        if (!unit.All(char.IsLetter))
        {
            error = $"'{unit}' is not a unit (a unit is letters only)";
            return false;
        }
        error = null;
        return true;
    }

    private static Dictionary<string, double> Build(params (double Factor, string[] Names)[] groups)
    {
        var map = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (factor, names) in groups)
            foreach (var name in names) map[name] = factor;
        return map;
    }
}
