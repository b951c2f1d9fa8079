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
        var verbose = new Option<bool>("--verbose") { Description = "Show stack traces with errors.", Recursive = true };
        var root = new RootCommand("TpActors: tensor-parallel layers in which every rank is an actor.");
        root.Options.Add(verbose);
        var context = new CommandContext(stdout, stderr, verbose);
        root.Subcommands.Add(VerifyCommand.Create(context));
        root.Subcommands.Add(TrainCommand.Create(context));
        root.Subcommands.Add(ConfigCommand.Create(context));
        root.Subcommands.Add(BenchCommand.Create(context));

        var parse = root.Parse(SplitJavaStyleDefines(args));
        if (parse.Errors.Count > 0)
        {
            foreach (var sentence in UsageErrors.Describe(parse)) stderr.WriteLine($"tpactors: {sentence}");
            stderr.WriteLine("Run 'tpactors --help' (or '<command> --help') for usage.");
            return ExitCodes.Usage;
        }
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
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
            Error.WriteLine(e.Message);
            if (parse.GetValue(Verbose)) Error.WriteLine(e);
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file system said no (a full disk, a read-only mount, a missing permission): its message names the path.
            Error.WriteLine($"tpactors {parse.CommandResult.Command.Name}: {e.Message}");
            if (parse.GetValue(Verbose)) Error.WriteLine(e);
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A defect of tpactors, not of the input: still one sentence and exit 1, never a crash with a stack trace.
            Error.WriteLine($"tpactors {parse.CommandResult.Command.Name}: internal error: {e.GetType().Name}: {e.Message}" +
                (parse.GetValue(Verbose) ? "" : " (run again with --verbose for the stack trace)"));
            if (parse.GetValue(Verbose)) Error.WriteLine(e);
            return ExitCodes.Failure;
        }
    }
}
