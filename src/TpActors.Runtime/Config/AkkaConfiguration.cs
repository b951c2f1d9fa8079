using System.Text.RegularExpressions;
using TpActors.Runtime.Configuration.Hocon;
using AkkaConfig = Akka.Configuration.Config;
using AkkaHocon = Akka.Configuration.Hocon;

namespace TpActors.Runtime.Configuration;

/// <summary>
/// Hands Akka the loader's resolved tree: every key, as the loader read it, built straight into Akka's configuration
/// objects (Akka's own parser never sees a user's file). Akka's defaults fill in what the tree does not set.
/// </summary>
/// <remarks>
/// Akka has no null: a key set to null is left out, so Akka uses its default. Under <c>akka</c>, a string with spaces at
/// either end is refused rather than changed behind the user's back (Akka's readers trim them); the error names the path
/// and where it was set.
/// </remarks>
public static class AkkaConfiguration
{
    private const string AkkaSection = "akka.";

    /// <summary>Akka's view of <paramref name="config"/> (resolved here if it is not yet).</summary>
    /// <exception cref="ConfigTypeException">A value under <c>akka</c> that Akka would read differently; its path and origin are named.</exception>
    public static AkkaConfig From(HoconConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var root = new AkkaHocon.HoconValue();
        root.AppendValue(Build(config.Root, ""));
        return new AkkaConfig(new AkkaHocon.HoconRoot(root));
    }

    /// <summary>
    /// The error for an actor system that Akka refused to start with <paramref name="config"/>: Akka names the value it could
    /// not read but not where it was set, so the setting under <c>akka</c> whose value Akka's message quotes is named with its
    /// <c>file:line:column</c> (one set in the user's file or by -D before one of reference.conf).
    /// </summary>
    public static ConfigException Refused(HoconConfig config, Exception error)
    {
        // Akka builds much of its system by reflection: the message worth showing is the innermost one.
        while (error is System.Reflection.TargetInvocationException or TypeInitializationException && error.InnerException is { } inner) error = inner;
        string message = string.Join(" ", error.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); // one line
        var suspects = new List<(string Path, HoconNode Value)>();
        if (config.Root.Get("akka") is HoconObjectNode akka) Leaves(akka, "akka", suspects);
        // Akka's message names the setting's path, or quotes the value it could not read (as a whole word); a setting of the
        // user's file or -D before one of reference.conf.
        var named = suspects.Select(s => (s.Path, s.Value, Rank: message.Contains(s.Path, StringComparison.Ordinal) ? 0
                : Text(s.Value) is { Length: > 0 } text && Regex.IsMatch(message, $@"(?<![\w.]){Regex.Escape(text)}(?![\w])") ? 1 : -1))
            .Where(s => s.Rank >= 0)
            .OrderBy(s => s.Rank).ThenBy(s => s.Value.Origin.Source == "reference.conf" ? 1 : 0)
            .Select(s => (s.Path, s.Value)).ToList();
        if (named.Count == 0) return new ConfigException(null, $"Akka could not start its actor system with this configuration: {message}", error);
        var (path, value) = named[0];
        return new ConfigException(value.Origin, $"Akka could not start its actor system with '{path}' = {Text(value) ?? value.TypeName}: {message}", error);
    }

    private static void Leaves(HoconNode value, string path, List<(string, HoconNode)> into)
    {
        switch (value)
        {
            case HoconObjectNode obj:
                foreach (var (key, child) in obj.Fields) Leaves(child, path + "." + HoconPath.RenderKey(key), into);
                break;
            case HoconListNode list:
                for (int i = 0; i < list.Items.Count; i++) Leaves(list.Items[i], $"{path}[{i}]", into);
                break;
            default:
                into.Add((path, value));
                break;
        }
    }

    private static string? Text(HoconNode value) => value switch
    {
        HoconStringNode s => s.Value,
        HoconNumberNode n => n.Text,
        HoconBooleanNode b => b.Value ? "true" : "false",
        _ => null,
    };

    private static AkkaHocon.IHoconElement Build(HoconNode value, string path)
    {
        switch (value)
        {
            case HoconObjectNode obj:
                var result = new AkkaHocon.HoconObject();
                foreach (var (key, child) in obj.Fields)
                {
                    string childPath = path.Length == 0 ? HoconPath.RenderKey(key) : path + "." + HoconPath.RenderKey(key);
                    if (child is HoconNullNode) continue; // Akka has no null: the key is left to Akka's default
                    result.GetOrCreateKey(key).AppendValue(Build(child, childPath));
                }
                return result;
            case HoconListNode list:
                var array = new AkkaHocon.HoconArray();
                for (int i = 0; i < list.Items.Count; i++)
                {
                    var item = new AkkaHocon.HoconValue();
                    item.AppendValue(Build(list.Items[i], $"{path}[{i}]"));
                    array.Add(item);
                }
                return array;
            case HoconStringNode s:
                if (path.StartsWith(AkkaSection, StringComparison.Ordinal) && s.Value.Length > 0 && (char.IsWhiteSpace(s.Value[0]) || char.IsWhiteSpace(s.Value[^1])))
                    throw new ConfigTypeException(path, "a string without spaces at either end", $"\"{s.Value}\"", s.Origin, "Akka reads strings trimmed");
                return new AkkaHocon.HoconLiteral { Value = s.Value };
            case HoconNumberNode n:
                return new AkkaHocon.HoconLiteral { Value = n.Text };
            case HoconBooleanNode b:
                return new AkkaHocon.HoconLiteral { Value = b.Value ? "true" : "false" };
            default:
                throw new InvalidOperationException($"{path}: cannot hand Akka an unresolved {value.TypeName}.");
        }
    }
}
