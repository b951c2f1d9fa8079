using TpActors.Runtime.Configuration.Hocon;

namespace TpActors.Runtime.Configuration;

/// <summary>
/// Checks a namespace of a configuration (<c>tpactors</c>) against the reference configuration that
/// defines it: every key must exist in the reference, and every value must read as the type of its
/// default, and keep the rule reference.conf states for it (<see cref="SettingRules"/>). The type comes from the default: true/false is a boolean, 42 a whole number, 0.5 a number,
/// "10s" a duration, "64 MiB" a size in bytes, a list a list, other text a string. An empty object in the
/// reference is an open section whose keys are not checked.
/// </summary>
internal static class ConfigValidator
{
    /// <summary>The problems found, unknown keys and wrong types alike; empty when the namespace is valid.</summary>
    public static IReadOnlyList<ConfigProblem> Check(HoconConfig config, HoconConfig reference, SettingRules rules, string ns)
    {
        var problems = new List<ConfigProblem>();
        var path = HoconPath.Parse(ns);
        var actual = path.FindIn(config.Root);
        var expected = path.FindIn(reference.Root);
        if (actual is not null && expected is not null)
        {
            var known = new List<string>();
            CollectPaths(expected, path, known);
            Walk(actual, expected, path, known, rules, problems);
        }
        return problems;
    }

    private static void Walk(HoconNode actual, HoconNode expected, HoconPath path, List<string> known, SettingRules rules, List<ConfigProblem> problems)
    {
        try
        {
            switch (expected)
            {
                case HoconObjectNode { Count: 0 }:
                    return;
                case HoconObjectNode section:
                    var obj = ConfigValueReader.ReadObject(actual, path.ToString());
                    foreach (var (key, value) in obj.Fields)
                    {
                        var childPath = path.Append(key);
                        if (section.Get(key) is { } childExpected) Walk(value, childExpected, childPath, known, rules, problems);
                        else problems.Add(Unknown(childPath, value, section, known));
                    }
                    return;
                default:
                    object typed = CheckType(actual, expected, path.ToString());
                    if (rules.Find(path.ToString()) is { } rule && rule.Violation(typed) is { } must)
                        throw new ConfigTypeException(path.ToString(), must, SettingRule.Format(typed, IsBytes(expected)), actual.Origin);
                    return;
            }
        }
        catch (ConfigTypeException e)
        {
            problems.Add(new ConfigProblem(e, IsUnknownKey: false));
        }
    }

    // Reads the value as the type of its default (throwing ConfigTypeException when it is not one) and returns it.
    private static object CheckType(HoconNode actual, HoconNode expected, string path) => expected switch
    {
        HoconBooleanNode => ConfigValueReader.ReadBoolean(actual, path),
        HoconNumberNode { Integer: not null } => ConfigValueReader.ReadLong(actual, path),
        HoconNumberNode => ConfigValueReader.ReadDouble(actual, path),
        HoconListNode => ConfigValueReader.ReadList(actual, path),
        HoconStringNode s when ConfigUnits.HasDurationUnit(s.Value) => ConfigValueReader.ReadDuration(actual, path),
        HoconStringNode s when ConfigUnits.HasByteUnit(s.Value) => ConfigValueReader.ReadBytes(actual, path),
        _ => ConfigValueReader.ReadString(actual, path),
    };

    private static bool IsBytes(HoconNode expected) => expected is HoconStringNode s && !ConfigUnits.HasDurationUnit(s.Value) && ConfigUnits.HasByteUnit(s.Value);

    private static ConfigProblem Unknown(HoconPath path, HoconNode value, HoconObjectNode section, List<string> known)
    {
        string key = path.ToString();
        // Only keys as deep as this one are candidates: 'tpactors.foo' is no misspelling of 'tpactors'.
        string hint = ClosestKey.Find(key, known.Where(k => HoconPath.Parse(k).Length == path.Length), path[path.Length - 1].Length) is { } guess
            ? $"did you mean '{guess}'?"
            : $"known keys here: {string.Join(", ", section.Keys)}";
        return new ConfigProblem(new ConfigException(value.Origin, $"unknown setting '{key}'; {hint}"), IsUnknownKey: true);
    }

    private static void CollectPaths(HoconNode value, HoconPath path, List<string> into)
    {
        into.Add(path.ToString());
        if (value is HoconObjectNode obj)
            foreach (var (key, child) in obj.Fields) CollectPaths(child, path.Append(key), into);
    }
}

/// <summary>One finding of <see cref="ConfigValidator"/>.</summary>
/// <param name="Error">The error, with the origin of the offending value.</param>
/// <param name="IsUnknownKey">True for an unknown key (which <c>tpactors.config.unknown-keys = warn</c> lets pass), false for a wrong type (always an error).</param>
internal sealed record ConfigProblem(ConfigException Error, bool IsUnknownKey);
