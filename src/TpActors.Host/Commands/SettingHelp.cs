using TpActors.Runtime.Configuration;

namespace TpActors.Host.Commands;

/// <summary>Option help that states what reference.conf states: the rule and the default of the setting behind the option.</summary>
internal static class SettingHelp
{
    /// <summary>"<paramref name="text"/>: 1 to 64 (default 2, tpactors.training.tp)."; the rule only where the setting has one.</summary>
    public static string Describe(string text, string path)
    {
        var rule = SettingRules.Reference.Find(path);
        string value = ConfigFactory.Reference.GetString(path);
        return $"{text}{(rule is null ? "" : $": {rule.Text}")} (default {value}, {path}).";
    }
}
