using System.CommandLine;
using TpActors.Host.Commands;
using TpActors.Runtime.Configuration;

namespace TpActors.Host;

/// <summary>The <c>tpactors</c> command line: builds the command tree, runs one command, maps failures to exit codes.</summary>
public static class TpActorsCli
{
    /// <summary>Runs the command line with the given arguments, writing results to <paramref name="stdout"/> and messages to <paramref name="stderr"/>.</summary>
    /// <returns>An exit code from <see cref="ExitCodes"/>.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var parse = Parse(args, stdout, stderr);
        if (parse.Errors.Count > 0)
        {
            var sentences = UsageErrors.Describe(parse);
            foreach (var sentence in sentences) stderr.WriteLine($"tpactors: {sentence}");
            stderr.WriteLine("Run 'tpactors --help' (or '<command> --help') for usage.");
            // The parse failed, so --json is looked for among the words themselves.
            if (args.Contains("--json")) CommandContext.WriteErrorJson(stdout, string.Join(" ", sentences), ExitCodes.Usage, origin: null);
            return ExitCodes.Usage;
        }
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
    }

    /// <summary>
    /// <paramref name="args"/> parsed by the whole command tree, without running anything: what a command would be given
    /// (how <c>launch</c> reads its job's options before starting hosts for it).
    /// </summary>
    public static ParseResult Parse(string[] args) => Parse(args, TextWriter.Null, TextWriter.Null);

    private static ParseResult Parse(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var verbose = new Option<bool>("--verbose") { Description = "Show stack traces with errors.", Recursive = true };
        var root = new RootCommand("TpActors: tensor-parallel layers in which every rank is an actor.");
        root.Options.Add(verbose);
        var context = new CommandContext(stdout, stderr, verbose);
        root.Subcommands.Add(VerifyCommand.Create(context));
        root.Subcommands.Add(TrainCommand.Create(context));
        root.Subcommands.Add(SampleCommand.Create(context));
        root.Subcommands.Add(ConfigCommand.Create(context));
        root.Subcommands.Add(BenchCommand.Create(context));
        root.Subcommands.Add(CheckpointCommand.Create(context));
        root.Subcommands.Add(HostCommand.Create(context));
        root.Subcommands.Add(LaunchCommand.Create(context));
        root.Subcommands.Add(ClusterCommand.Create(context));
        return root.Parse(SplitJavaStyleDefines(args));
    }

    // "-Dkey=value" (Java style, no space) becomes "-D" "key=value".
    private static string[] SplitJavaStyleDefines(string[] args) =>
        args.SelectMany(a => a.Length > 2 && a.StartsWith("-D", StringComparison.Ordinal) ? new[] { "-D", a[2..] } : [a]).ToArray();
}

/// <summary>What every command's action needs: the output streams and the shared options.</summary>
/// <param name="Out">Where results go (stdout).</param>
/// <param name="Error">Where messages and logs go (stderr).</param>
/// <param name="Verbose">The global --verbose option.</param>
public sealed record CommandContext(TextWriter Out, TextWriter Error, Option<bool> Verbose)
{
    /// <summary>
    /// Runs a command body, turning configuration errors, file-system errors and any other exception into one message on
    /// stderr and exit code 1 (a stack trace only with --verbose).
    /// </summary>
    public int Guard(ParseResult parse, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (ConfigException e)
        {
            return Fail(parse, ExitCodes.Failure, e.Message, e, e.Origin);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file system said no (a full disk, a read-only mount, a missing permission): its message names the path.
            return Fail(parse, ExitCodes.Failure, $"tpactors {parse.CommandResult.Command.Name}: {e.Message}", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A defect of tpactors, not of the input: still one sentence and exit 1, never a crash with a stack trace.
            return Fail(parse, ExitCodes.Failure, $"tpactors {parse.CommandResult.Command.Name}: internal error: {e.GetType().Name}: {e.Message}" +
                (parse.GetValue(Verbose) ? "" : " (run again with --verbose for the stack trace)"), e);
        }
    }

    /// <summary>
    /// Reports a failure the one way every command does: <paramref name="message"/> on stderr, the stack trace of
    /// <paramref name="exception"/> with --verbose, and under --json one JSON object on stdout with <c>error</c>,
    /// <c>exit_code</c> and, where the failure has a place, <c>file</c>, <c>line</c> and <c>column</c>.
    /// </summary>
    /// <returns><paramref name="exitCode"/>.</returns>
    public int Fail(ParseResult parse, int exitCode, string message, Exception? exception = null, ConfigOrigin? origin = null,
        IReadOnlyDictionary<string, object?>? details = null)
    {
        Error.WriteLine(message);
        if (exception is not null && parse.GetValue(Verbose)) Error.WriteLine(exception);
        if (WantsJson(parse)) WriteErrorJson(Out, message, exitCode, origin, details);
        return exitCode;
    }

    /// <summary>Whether the command being run has a --json option and it is set.</summary>
    public static bool WantsJson(ParseResult parse) =>
        parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == "--json") is Option<bool> json && parse.GetValue(json);

    /// <summary>The failure as one JSON object: error, exit_code, and file/line/column when <paramref name="origin"/> is a place.</summary>
    public static void WriteErrorJson(TextWriter output, string message, int exitCode, ConfigOrigin? origin, IReadOnlyDictionary<string, object?>? details = null)
    {
        // The error as a sentence: without the "tpactors train: " that starts it on stderr.
        var prefix = System.Text.RegularExpressions.Regex.Match(message, @"^tpactors( [a-z]+)*: ");
        var document = new Dictionary<string, object?> { ["error"] = message[prefix.Length..], ["exit_code"] = exitCode };
        if (origin is { Line: > 0 })
        {
            document["file"] = origin.Source;
            document["line"] = origin.Line;
            document["column"] = origin.Column;
        }
        foreach (var (key, value) in details ?? new Dictionary<string, object?>()) document[key] = value;
        JsonOutput.WriteLine(output, document);
    }
}
