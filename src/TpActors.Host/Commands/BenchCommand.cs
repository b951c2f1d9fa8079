using System.CommandLine;
using TpActors.Host.Bench;

namespace TpActors.Host.Commands;

/// <summary><c>tpactors bench …</c>: performance figures, each beside a baseline measured in the same run.</summary>
public static class BenchCommand
{
    /// <summary>Builds the <c>bench</c> command and its subcommands.</summary>
    public static Command Create(CommandContext context)
    {
        var bench = new Command("bench", "Measure performance; every figure is printed beside a baseline measured in the same run, as a ratio.");
        bench.Subcommands.Add(CreateActors(context));
        return bench;
    }

    private static Command CreateActors(CommandContext context)
    {
        var options = new ConfigOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (progress goes to stderr)." };
        var messages = new Option<long?>("--messages") { Description = "Messages per timed run (default: tpactors.bench.actors.messages).", HelpName = "N" };
        var inFlight = new Option<int?>("--in-flight") { Description = "Messages in flight per ping-pong pair (default: tpactors.bench.actors.in-flight).", HelpName = "K" };
        var senders = new Option<int?>("--senders") { Description = "Senders in the fan-in pattern (default: tpactors.bench.actors.senders).", HelpName = "S" };
        var runs = new Option<int?>("--runs") { Description = "Timed runs per pattern, best reported (default: tpactors.bench.actors.runs).", HelpName = "R" };
        var command = new Command("actors",
            "Messages per second for ping-pong (1 and 2 actor pairs) and fan-in (many senders, one actor), beside the same patterns on raw System.Threading.Channels between tasks; also bytes allocated per message.");
        options.AddTo(command);
        foreach (var option in new Option[] { json, messages, inFlight, senders, runs }) command.Options.Add(option);
        command.SetAction(parse => context.Guard(parse, () =>
        {
            var loaded = options.Load(parse);
            foreach (var warning in loaded.Warnings) context.Error.WriteLine($"warning: {warning}");
            var defaults = ActorBench.FromConfig(loaded.Config);
            var bench = new ActorBench(
                parse.GetValue(messages) ?? defaults.Messages,
                parse.GetValue(inFlight) ?? defaults.InFlight,
                parse.GetValue(senders) ?? defaults.Senders,
                parse.GetValue(runs) ?? defaults.Runs);
            try
            {
                bench.Validate();
            }
            catch (ArgumentException e)
            {
                context.Error.WriteLine($"tpactors: {e.Message}");
                return ExitCodes.Usage;
            }
            if (IsOptimizationDisabled())
                context.Error.WriteLine("warning: this is a Debug build, so the figures understate the runtime; build with -c Release (see docs/BENCHMARKS.md).");
            var machine = MachineInfo.Current(backend: "none");
            context.Error.WriteLine($"bench actors: {bench.Messages:#,0} messages per run, best of {bench.Runs} after a warm-up, on {machine.Cores} cores ({machine.Cpu})");
            var results = bench.Run(loaded.Config, context.Error).GetAwaiter().GetResult();
            if (parse.GetValue(json)) BenchReport.WriteJson(context.Out, machine, results);
            else BenchReport.WriteTable(context.Out, machine, results);
            return ExitCodes.Success;
        }));
        return command;
    }

    // True when the runtime assembly was compiled without optimizations (a Debug build).
    private static bool IsOptimizationDisabled() =>
        typeof(Runtime.Actors.ActorSystem).Assembly.GetCustomAttributes(typeof(System.Diagnostics.DebuggableAttribute), false)
            .OfType<System.Diagnostics.DebuggableAttribute>().Any(a => a.IsJITOptimizerDisabled);
}
