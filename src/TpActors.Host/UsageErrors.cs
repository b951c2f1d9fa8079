using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace TpActors.Host;

/// <summary>
/// Turns the command-line parser's errors into one sentence per mistake that names the option, the value and the rule
/// ("--hidden abc: expected a whole number"), instead of .NET type names or two errors for one slip.
/// </summary>
internal static partial class UsageErrors
{
    /// <summary>The sentences for <paramref name="parse"/>'s errors, one per mistake, in command-line order.</summary>
    public static IReadOnlyList<string> Describe(ParseResult parse)
    {
        var sentences = new List<string>();
        var command = parse.CommandResult.Command;
        string commandName = CommandPath(parse.CommandResult);
        var unrecognized = parse.Errors.Select(e => UnrecognizedToken().Match(e.Message)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        foreach (var error in parse.Errors)
        {
            string message = error.Message;
            if (CannotParse().Match(message) is { Success: true } cannot)
                sentences.Add($"{cannot.Groups[2].Value} {cannot.Groups[1].Value}: expected {Expected(cannot.Groups[3].Value)}.");
            else if (NotAmong().Match(message) is { Success: true } among)
                sentences.Add($"{OptionOf(error) ?? "the value"} {among.Groups[1].Value}: expected one of {string.Join(", ", Choices().Matches(among.Groups[2].Value).Select(m => m.Groups[1].Value))}.");
            else if (message.StartsWith("Required command was not provided", StringComparison.Ordinal))
            {
                // "tpactors" alone, or "tpactors host" for a command that does not exist: one sentence, not two.
                string commands = string.Join(", ", command.Subcommands.Select(c => c.Name));
                sentences.Add(unrecognized.Count > 0 && !unrecognized[0].StartsWith('-')
                    ? $"'{unrecognized[0]}' is not a {commandName} command; " +
                      (Guess(unrecognized[0], command.Subcommands.Select(c => c.Name)) is { } near ? $"did you mean '{near}'? The commands are {commands}." : $"the commands are {commands}.")
                    : $"{commandName} needs a command: {commands}.");
                if (unrecognized.Count > 0 && !unrecognized[0].StartsWith('-')) unrecognized.RemoveAt(0);
            }
            else if (UnrecognizedToken().Match(message) is { Success: true } token)
            {
                string word = token.Groups[1].Value;
                if (!unrecognized.Contains(word)) continue; // already said as part of a missing command
                int at = unrecognized.IndexOf(word);
                unrecognized.RemoveAt(at);
                if (word.StartsWith('-'))
                {
                    var options = command.Options.Select(o => o.Name).Concat(command.Options.SelectMany(o => o.Aliases));
                    sentences.Add($"{word} is not an option of {commandName}{(Guess(word, options) is { } near ? $"; did you mean {near}?" : ".")}");
                    if (at < unrecognized.Count && !unrecognized[at].StartsWith('-')) unrecognized.RemoveAt(at); // its value: no second sentence
                }
                else sentences.Add($"'{word}' is not an argument {commandName} takes.");
            }
            else if (MissingArgument().Match(message) is { Success: true } missing)
                sentences.Add($"{missing.Groups[1].Value} needs a value.");
            else sentences.Add(message);
        }
        return sentences.Distinct().ToList();
    }

    // The known word closest to the one typed, when one is close: fewer edits than the word has letters (--lr is not --tp).
    private static string? Guess(string typed, IEnumerable<string> known) =>
        Runtime.Configuration.ClosestKey.Find(typed, known) is { } near && Runtime.Configuration.ClosestKey.EditDistance(typed, near) < typed.TrimStart('-').Length
            ? near
            : null;

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent) names.Insert(0, c.Command.Name);
        if (names.Count > 0) names[0] = "tpactors";
        return string.Join(' ', names);
    }

    private static string? OptionOf(ParseError error) => error.SymbolResult switch
    {
        OptionResult option => option.Option.Name,
        ArgumentResult { Parent: OptionResult option } => option.Option.Name,
        _ => null,
    };

    // .NET type names as a user reads them.
    private static string Expected(string type) => type switch
    {
        _ when type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) => "a whole number",
        _ when type.Contains("Single", StringComparison.Ordinal) || type.Contains("Double", StringComparison.Ordinal) => "a number",
        _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ => "a value of another kind",
    };

    [GeneratedRegex(@"^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"^Argument '(.*)' not recognized\. Must be one of:(.*)$", RegexOptions.Singleline)]
    private static partial Regex NotAmong();

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex Choices();

    [GeneratedRegex(@"^Unrecognized command or argument '(.*)'\.?$")]
    private static partial Regex UnrecognizedToken();

    [GeneratedRegex(@"^Required argument missing for option: '(.*)'\.?$")]
    private static partial Regex MissingArgument();
}
