using System.CommandLine;

namespace TpActors.Host.Commands;

/// <summary><c>tpactors config show</c>: prints the merged, resolved configuration.</summary>
public static class ConfigCommand
{
    /// <summary>Builds the <c>config</c> command and its subcommands.</summary>
    public static Command Create(CommandContext context)
    {
        var config = new Command("config", "Inspect the configuration: reference.conf <- --config FILE <- -D overrides.");
        config.Subcommands.Add(CreateShow(context));
        return config;
    }

    private static Command CreateShow(CommandContext context)
    {
        var options = new ConfigOptions();
        var json = new Option<bool>("--json") { Description = "Print JSON (keys sorted) instead of HOCON." };
        var origin = new Option<bool>("--origin") { Description = "Follow each value with the file:line it was set at." };
        var noReference = new Option<bool>("--no-reference")
        {
            Description = "Print only the keys that the file and -D overrides set (still resolved against, and checked with, the defaults).",
        };
        var show = new Command("show", "Print the merged, resolved configuration; exit 1 on any configuration error.");
        options.AddTo(show);
        show.Options.Add(json);
        show.Options.Add(origin);
        show.Options.Add(noReference);
        show.SetAction(parse => context.Guard(parse, () =>
        {
            if (parse.GetValue(json) && parse.GetValue(origin))
            {
                return context.Fail(parse, ExitCodes.Usage, "tpactors: --origin and --json cannot be combined: JSON has no comments to hold origins.");
            }
            var loaded = options.Load(parse);
            foreach (var warning in loaded.Warnings) context.Error.WriteLine($"warning: {warning}");
            var shown = parse.GetValue(noReference) ? loaded.Config.WithOnlyPathsOf(loaded.FileAndOverrides) : loaded.Config;
            context.Out.WriteLine(parse.GetValue(json) ? shown.ToJson() : shown.ToHocon(parse.GetValue(origin)).TrimEnd('\n'));
            return ExitCodes.Success;
        }));
        return show;
    }
}
