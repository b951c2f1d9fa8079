using System.Text.RegularExpressions;
using TpActors.Runtime.Configuration.Hocon;

namespace TpActors.Runtime.Configuration;

/// <summary>
/// Every setting's rule, read from the <c># Valid: …</c> lines of reference.conf, where each stands beside its default: the
/// one place a range is declared. The configuration validator holds every file and -D override to them, and commands
/// hold their options to them (<see cref="Require"/>), so <c>--tp 100</c> and <c>-D tpactors.training.tp=100</c> are
/// refused by the same rule in the same words.
/// </summary>
public sealed partial class SettingRules
{
    private readonly Dictionary<string, SettingRule> _rules;

    private SettingRules(Dictionary<string, SettingRule> rules) => _rules = rules;

    /// <summary>No rules, for a reference configuration that states none.</summary>
    internal static SettingRules None { get; } = new(new Dictionary<string, SettingRule>());

    /// <summary>The rules of the embedded reference.conf.</summary>
    public static SettingRules Reference => ConfigFactory.ReferenceRules;

    /// <summary>Every rule, by path.</summary>
    public IReadOnlyDictionary<string, SettingRule> All => _rules;

    /// <summary>The rule of <paramref name="path"/>, or null when it has none.</summary>
    public SettingRule? Find(string path) => _rules.GetValueOrDefault(path);

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when <paramref name="value"/> breaks the rule of <paramref name="path"/>:
    /// "--tp 100: must be 1 to 64 (tpactors.training.tp)".
    /// </summary>
    /// <param name="path">The setting whose rule applies.</param>
    /// <param name="value">The value: a number, a <see cref="TimeSpan"/> or a word.</param>
    /// <param name="name">What the user typed it as: an option such as "--tp", or the setting's path.</param>
    public static void Require(string path, object value, string? name = null)
    {
        var rule = Reference.Find(path) ?? throw new InvalidOperationException($"reference.conf has no '# Valid:' rule for {path}.");
        if (rule.Violation(value) is { } expected)
            throw new ArgumentException(name is null || name == path
                ? $"{path} is {SettingRule.Format(value)}; it must be {expected}."
                : $"{name} {SettingRule.Format(value)}: must be {expected} ({path}).");
    }

    /// <summary>Reads the rules of a reference file: each <c># Valid: …</c> line governs the first setting below it.</summary>
    /// <exception cref="FormatException">A rule cannot be read, or stands above no setting (a broken reference.conf).</exception>
    internal static SettingRules Read(string text, HoconObjectNode root, string source)
    {
        var byLine = new Dictionary<int, string>();
        CollectLeafLines(root, HoconPath.Empty, byLine);
        var rules = new Dictionary<string, SettingRule>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var match = ValidLine().Match(lines[i]);
            if (!match.Success) continue;
            int target = i + 1;
            while (target < lines.Length && lines[target].TrimStart().StartsWith('#')) target++;
            if (!byLine.TryGetValue(target + 1, out var path))
                throw new FormatException($"{source}:{i + 1}: the '# Valid:' line stands above no setting.");
            rules[path] = SettingRule.Parse(path, match.Groups[1].Value.TrimEnd('.', ' ', '\r'));
        }
        return new SettingRules(rules);
    }

    private static void CollectLeafLines(HoconNode value, HoconPath path, Dictionary<int, string> byLine)
    {
        if (value is HoconObjectNode obj)
            foreach (var (key, child) in obj.Fields) CollectLeafLines(child, path.Append(key), byLine);
        else byLine.TryAdd(value.Origin.Line, path.ToString());
    }

    [GeneratedRegex(@"^\s*#\s*Valid:\s*(.+)$")]
    private static partial Regex ValidLine();
}
