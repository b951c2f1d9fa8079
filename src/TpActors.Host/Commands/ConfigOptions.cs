using System.CommandLine;
using TpActors.Runtime.Configuration;

namespace TpActors.Host.Commands;

/// <summary>The options every command that reads configuration takes: <c>--config FILE</c> and repeatable <c>-D path=value</c>.</summary>
public sealed class ConfigOptions
{
    /// <summary>The user's configuration file.</summary>
    public Option<string?> File { get; } = new Option<string?>("--config")
    {
        Description = "A HOCON (.conf), JSON or .properties file laid over the defaults of reference.conf.",
        HelpName = "FILE",
    }.Path();

    /// <summary>Command-line overrides.</summary>
    public Option<string[]> Defines { get; } = new("--define", "-D")
    {
        Description = "Override one setting, e.g. -D tpactors.config.unknown-keys=warn (repeatable; later wins; -Dpath=value works too).",
        HelpName = "path=value",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>Adds both options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(File);
        command.Options.Add(Defines);
    }

    /// <summary>
    /// This command line's --config (made absolute) and -D, as arguments for the host processes a command starts, so they
    /// run with the same settings. Found by name, so any command with these options can pass them on.
    /// </summary>
    public static List<string> Forwarded(ParseResult parse)
    {
        var args = new List<string>();
        if (parse.GetValue<string?>("--config") is { } file) args.AddRange(["--config", Path.GetFullPath(file)]);
        foreach (var define in parse.GetValue<string[]>("--define") ?? []) args.AddRange(["-D", define]);
        return args;
    }

    /// <summary>Loads reference.conf, the file and the overrides named on this command line.</summary>
    public LoadedConfig Load(ParseResult parse) =>
        ConfigLoader.Load(parse.GetValue(File), parse.GetValue(Defines) ?? []);
}
