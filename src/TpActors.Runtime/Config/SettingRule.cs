using System.Globalization;

namespace TpActors.Runtime.Configuration;

/// <summary>
/// The values a setting accepts, as reference.conf states them on a <c># Valid: …</c> line above the setting: a choice
/// (<c>auto, openblas or managed</c>) or bounds joined by commas (<c>1 to 64</c>, <c>at least 0</c>, <c>more than 0s</c>,
/// <c>at least 0, less than 1</c>, <c>4 B to 1 GiB</c>). Bounds take the setting's unit: a duration, a size or a number.
/// </summary>
public sealed class SettingRule
{
    private readonly string[]? _choices;
    private readonly List<(double Bound, bool Lower, bool Inclusive)> _bounds = [];

    private SettingRule(string path, string text, string[]? choices)
    {
        Path = path;
        Text = text;
        _choices = choices;
    }

    /// <summary>The setting's path, e.g. <c>tpactors.training.tp</c>.</summary>
    public string Path { get; }

    /// <summary>The rule as reference.conf writes it, e.g. "1 to 64"; messages quote it.</summary>
    public string Text { get; }

    /// <summary>The accepted words of a choice, or null for bounds.</summary>
    public IReadOnlyList<string>? Choices => _choices;

    /// <summary>Reads a rule's text; throws <see cref="FormatException"/> when it is neither a choice nor bounds.</summary>
    public static SettingRule Parse(string path, string text)
    {
        var clauses = text.Split(", ", StringSplitOptions.TrimEntries);
        bool isRange = clauses.All(c => c.StartsWith("at least ", StringComparison.Ordinal) || c.StartsWith("at most ", StringComparison.Ordinal)
            || c.StartsWith("more than ", StringComparison.Ordinal) || c.StartsWith("less than ", StringComparison.Ordinal) || c.Contains(" to ", StringComparison.Ordinal));
        if (!isRange)
        {
            // "a, b or c": every word a choice.
            var words = text.Replace(" or ", ", ", StringComparison.Ordinal).Split(", ", StringSplitOptions.TrimEntries);
            if (words.Any(w => w.Length == 0 || w.Any(char.IsWhiteSpace))) throw new FormatException($"'{text}' is neither bounds nor a list of words");
            return new SettingRule(path, text, words);
        }
        var rule = new SettingRule(path, text, null);
        foreach (var clause in clauses)
        {
            if (clause.Contains(" to ", StringComparison.Ordinal))
            {
                var ends = clause.Split(" to ", 2, StringSplitOptions.TrimEntries);
                rule.AddBound(ends[0], lower: true, inclusive: true);
                rule.AddBound(ends[1], lower: false, inclusive: true);
            }
            else if (clause.StartsWith("at least ", StringComparison.Ordinal)) rule.AddBound(clause["at least ".Length..], lower: true, inclusive: true);
            else if (clause.StartsWith("more than ", StringComparison.Ordinal)) rule.AddBound(clause["more than ".Length..], lower: true, inclusive: false);
            else if (clause.StartsWith("at most ", StringComparison.Ordinal)) rule.AddBound(clause["at most ".Length..], lower: false, inclusive: true);
            else rule.AddBound(clause["less than ".Length..], lower: false, inclusive: false);
        }
        return rule;
    }

    /// <summary>Why <paramref name="value"/> (a number, a <see cref="TimeSpan"/>, a size in bytes as a long, or a word) breaks the rule, or null when it keeps it.</summary>
    public string? Violation(object value)
    {
        if (_choices is not null)
        {
            string word = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
            return _choices.Contains(word, StringComparer.Ordinal) ? null : $"one of {Text}";
        }
        double x = value switch
        {
            TimeSpan t => t.Ticks * 100d,
            IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
            _ => double.NaN,
        };
        foreach (var (bound, lower, inclusive) in _bounds)
        {
            bool ok = lower ? (inclusive ? x >= bound : x > bound) : (inclusive ? x <= bound : x < bound);
            if (!ok) return Text;
        }
        return double.IsFinite(x) ? null : Text; // no setting takes NaN or an infinity, whatever its bounds
    }

    /// <summary>A value as HOCON writes it: <c>0s</c>, <c>-5s</c>, <c>64 MiB</c> (when <paramref name="isBytes"/>), <c>100</c>, <c>'cuda'</c>.</summary>
    public static string Format(object value, bool isBytes = false) => value switch
    {
        TimeSpan t => ConfigUnits.FormatDuration(t),
        long bytes when isBytes => ConfigUnits.FormatBytes(bytes),
        string s => $"'{s}'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private void AddBound(string text, bool lower, bool inclusive)
    {
        double bound;
        if (ConfigUnits.HasDurationUnit(text)) bound = ConfigUnits.ParseDuration(text, out _)!.Value.Ticks * 100d;
        else if (ConfigUnits.HasByteUnit(text)) bound = ConfigUnits.ParseBytes(text, out _)!.Value;
        else if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out bound)) throw new FormatException($"'{text}' is not a number, a duration or a size");
        _bounds.Add((bound, lower, inclusive));
    }
}
