using TpActors.Runtime.Cluster;
using System.CommandLine;
using TpActors.Host.Bench;
using TpActors.Layers.Parallel;
using TpActors.Layers.Optimizers;
using TpActors.Layers.Ranks;
using TpActors.Layers.Training;
using TpActors.Layers.Models;

namespace TpActors.Host.Commands;

/// <summary><c>tpactors bench …</c>: performance figures, each beside a baseline measured in the same run.</summary>
public static class BenchCommand
{
    /// <summary>Builds the <c>bench</c> command and its subcommands.</summary>
    public static Command Create(CommandContext context)
    {
        var bench = new Command("bench", "Measure performance; every figure is printed beside a baseline measured in the same run, as a ratio.");
        bench.Subcommands.Add(CreateActors(context));
        bench.Subcommands.Add(CreateCollectives(context));
        bench.Subcommands.Add(CreateLayers(context));
        bench.Subcommands.Add(CreateTrain(context));
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
            "Messages per second on Akka for ping-pong (1 and 2 actor pairs), fan-in (many senders, one actor) and a stream of 256 KiB chunks told by reference to a rank on its pinned dispatcher, beside the same patterns on raw System.Threading.Channels between tasks; also bytes allocated per message.");
        options.AddTo(command);
        foreach (var option in new Option[] { json, messages, inFlight, senders, runs }) command.Options.Add(option);
        command.SetAction(parse => context.Guard(parse, () =>
        {
            var loaded = options.Load(parse);
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
                return context.Fail(parse, ExitCodes.Usage, $"tpactors: {e.Message}", e);
            }
            return RunBench(context, parse, loaded, json, "none",
                $"bench actors: {bench.Messages:#,0} messages per run, best of {bench.Runs} after a warm-up",
                system => bench.Run(system, context.Error));
        }));
        return command;
    }

    private static Command CreateCollectives(CommandContext context)
    {
        var ranks = new Option<int?>("--ranks") { Description = "Ranks in the group (default: tpactors.bench.collectives.ranks).", HelpName = "N" };
        var sizes = new Option<string?>("--sizes") { Description = "Comma-separated buffer sizes in bytes, units allowed: 4096,1MiB,16MiB (default: tpactors.bench.collectives.sizes).", HelpName = "LIST" };
        var iterations = new Option<int?>("--iterations") { Description = "Timed repetitions per operation and size, at least; small sizes repeat until tpactors.bench.collectives.min-bytes has moved (default: tpactors.bench.collectives.iterations).", HelpName = "K" };
        var processes = new Option<int>("--processes")
        {
            Description = "Put the ranks in this many `tpactors host` processes on this machine (filled in order), so chunks cross the bulk lane; " +
                "each figure is then beside a raw single-stream TCP transfer between rank 0's and rank 1's processes. 0: all ranks in this process.",
            HelpName = "P",
        };
        return CreateBench(context, "collectives",
            "Time, algbw and busbw (nccl-tests formulas) of ring all-reduce, all-gather and reduce-scatter between rank actors in one process, " +
            "beside single-thread memcpy bandwidth of the same size measured in the same run (with --processes: in host processes, beside raw TCP). " +
            "JSON results are named '<operation> <bytes> busbw'.",
            [ranks, sizes, iterations, processes], (parse, config) =>
            {
                var defaults = CollectiveBench.FromConfig(config);
                var bench = new CollectiveBench(
                    parse.GetValue(ranks) ?? defaults.Ranks,
                    parse.GetValue(sizes) is { } list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(CollectiveBench.ParseSize).ToList() : defaults.Sizes,
                    parse.GetValue(iterations) ?? defaults.Iterations,
                    defaults.MinBytes);
                bench.Validate();
                var settings = RankSettings.FromConfig(config);
                int hosts = parse.GetValue(processes);
                if (hosts is < 0 or > 64) throw new ArgumentException($"--processes {hosts}: must be 0 to 64.");
                if (hosts > 0)
                {
                    if (bench.Ranks < Math.Max(2, hosts)) throw new ArgumentException($"--processes {hosts} needs at least {Math.Max(2, hosts)} ranks (--ranks), one per process at least.");
                    return new BenchPlan("none (collectives move floats; no GEMM)",
                        $"bench collectives: {bench.Ranks} rank actors in {hosts} host processes, at least {bench.Iterations} iterations and {bench.MinBytes} bytes per size",
                        _ => Cluster.ClusterBench.Run(config, ConfigOptions.Forwarded(parse), hosts, bench.Ranks, context.Error, (system, lease) => bench.Run(system, settings, context.Error, lease.Ranks)));
                }
                return new BenchPlan("none (collectives move floats; no GEMM)",
                    $"bench collectives: {bench.Ranks} rank actors in one process, at least {bench.Iterations} iterations and {bench.MinBytes} bytes per size",
                    system => bench.Run(system, settings, context.Error));
            });
    }

    private static Command CreateLayers(CommandContext context)
    {
        var model = new Option<string?>("--model")
        {
            Description = SettingHelp.Describe("The layer timed: mlp (ParallelMlp) or block (a pre-LN transformer block, sized by tpactors.bench.layers.block; " +
                "also TP=2 with sequence parallelism)", "tpactors.bench.layers.model"),
            HelpName = string.Join('|', LayerBench.Models),
        };
        model.AcceptOnlyFromAmong(LayerBench.Models);
        return CreateBench(context, "layers",
            "GEMM GFLOP/s of the backend and of the managed kernel beside raw OpenBLAS; a layer's forward + backward at TP=1 (all cores to BLAS) " +
            "as a share of that GEMM, beside TP=2 (two rank actors); and the bytes each rank keeps from forward to backward. Same run. " +
            "Sizes from tpactors.bench.layers (-D to change).",
            [model], (parse, config) =>
            {
                var bench = LayerBench.FromConfig(config);
                if (parse.GetValue(model) is { } chosen) bench = bench with { Model = chosen };
                bench.Validate();
                var settings = RankSettings.FromConfig(config);
                return new BenchPlan(Layers.Tensors.CpuBackend.Create(settings.Backend, Environment.ProcessorCount).Description,
                    $"bench layers: GEMM {bench.GemmSize}³; {bench.Shape}; best of {bench.Runs}",
                    system => bench.Run(system, settings, context.Error));
            });
    }

    private static Command CreateTrain(CommandContext context)
    {
        var processes = new Option<int>("--processes")
        {
            Description = "Put the ranks in this many `tpactors host` processes on this machine and time training there beside the same training " +
                "with every rank in this process (both with a snapshot every step), then kill -9 rank 0's host mid-run (P of at least 2; a spare host is started) " +
                "and time its detection and the resumed step. 0: the fault-tolerance bench in one process.",
            HelpName = "P",
        };
        var model = new Option<string?>("--model")
        {
            Description = "mlp-stack (default: the fault-tolerance bench on the MLP stack of tpactors.bench.training) or gpt (the GPT of tpactors.training.gpt: " +
                "tokens/s at TP=1 beside plain PyTorch on this machine when Debian's python3-torch is installed, and TP=2 beside TP=1; with --processes, " +
                "in host processes beside one process, and a host killed).",
            HelpName = "mlp-stack|gpt",
        };
        model.AcceptOnlyFromAmong(MlpStackSpec.KindName, GptModelSpec.KindName);
        return CreateBench(context, "train",
        "Training steps/s with an in-memory snapshot after every step beside none (the cost of fault tolerance), and the time from a rank's " +
        "failure to the group running again and to the replayed step, beside one step (with --processes: ranks in host processes beside one process). " +
        "With --model gpt: a GPT's tokens/s beside PyTorch's. Sizes from tpactors.bench.training (-D to change).",
        [processes, model], (parse, config) =>
        {
            var bench = TrainBench.FromConfig(config);
            var defaults = TrainingOptions.FromConfig(config);
            int hosts = parse.GetValue(processes);
            if (parse.GetValue(model) == GptModelSpec.KindName)
            {
                var gpt = TrainingOptions.FromConfig(config, GptModelSpec.KindName);
                gpt = gpt with { Model = ((GptModelSpec)gpt.Model).WithVocabulary() };
                var gptBench = GptTrainBench.FromConfig(config);
                gptBench.Validate(gpt);
                if (hosts == 0)
                    return new BenchPlan(gpt.Ranks.BackendDescription(2), $"bench train --model gpt: {gpt.Model.Sizes}, batch {gpt.Task.Batch}; {gptBench.Steps} steps per run, best of {gptBench.Runs}",
                        system => gptBench.Run(system, gpt, context.Error));
                (bench, defaults) = (bench with { Model = gpt.Model, Steps = gptBench.Steps }, gpt);
            }
            bench.Validate(defaults);
            if (hosts is < 0 or > 64) throw new ArgumentException($"--processes {hosts}: must be 0 to 64.");
            if (hosts > bench.Tp) throw new ArgumentException($"--processes {hosts} needs at least {hosts} ranks (tpactors.bench.training.tp is {bench.Tp}).");
            if (hosts > 0)
                return new BenchPlan(defaults.Ranks.BackendDescription(bench.Tp),
                    $"bench train: tp {bench.Tp} over {hosts} host processes, {(bench.Model ?? new MlpStackSpec(bench.Layers, bench.Hidden, bench.Ffn)).Sizes}, batch {(bench.Model is null ? bench.Batch : defaults.Task.Batch)}, " +
                    $"{defaults.Optimizer.Name}; {bench.Steps} steps per run, best of {bench.Runs}",
                    _ => Cluster.ClusterBench.Run(config, ConfigOptions.Forwarded(parse), hosts, bench.Tp, context.Error, (system, lease) => bench.RunAcrossProcesses(system, lease, defaults, context.Error),
                        spares: SparesFor(hosts, bench.Tp)));
            return new BenchPlan(defaults.Ranks.BackendDescription(bench.Tp),
                $"bench train: tp {bench.Tp}, {bench.Layers} layers, hidden {bench.Hidden}, ffn {bench.Ffn}, batch {bench.Batch}, " +
                $"{defaults.Optimizer.Name}; {bench.Steps} steps per run, best of {bench.Runs}",
                system => bench.Run(system, defaults, context.Error));
        });
    }

    // Hosts to start beside P for the host-kill run: one when the P hosts' free slots could not take a full host's ranks.
    private static int SparesFor(int hosts, int ranks)
    {
        if (hosts < 2) return 0;
        int slots = (ranks + hosts - 1) / hosts;
        return slots * hosts - ranks >= slots ? 0 : 1;
    }

    // What a tensor bench runs: the backend in words, the banner, and the measurement.
    private sealed record BenchPlan(string Backend, string Banner, Func<Akka.Actor.ActorSystem, Task<IReadOnlyList<BenchResult>>> Run);

    // A bench command: its own options plus --json and the config options; the plan is made from the loaded configuration,
    // and an ArgumentException (or a bad setting) while making it is a usage error.
    private static Command CreateBench(CommandContext context, string name, string description, Option[] extra,
        Func<ParseResult, Runtime.Configuration.HoconConfig, BenchPlan> plan)
    {
        var options = new ConfigOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout (progress goes to stderr)." };
        var command = new Command(name, description);
        options.AddTo(command);
        foreach (var option in extra.Prepend(json)) command.Options.Add(option);
        command.SetAction(parse => context.Guard(parse, () =>
        {
            var loaded = options.Load(parse);
            BenchPlan made;
            try
            {
                made = plan(parse, loaded.Config);
            }
            catch (ArgumentException e)
            {
                return context.Fail(parse, ExitCodes.Usage, $"tpactors: {e.Message}", e);
            }
            return RunBench(context, parse, loaded, json, made.Backend, made.Banner, made.Run);
        }));
        return command;
    }

    // The part every bench shares: warnings, the machine, an actor system, the run, the report.
    private static int RunBench(CommandContext context, ParseResult parse, Runtime.Configuration.LoadedConfig loaded, Option<bool> json,
        string backend, string banner, Func<Akka.Actor.ActorSystem, Task<IReadOnlyList<BenchResult>>> run)
    {
        foreach (var warning in loaded.Warnings) context.Error.WriteLine($"warning: {warning}");
        if (IsOptimizationDisabled())
            context.Error.WriteLine("warning: this is a Debug build, so the figures understate the runtime; build with -c Release (see docs/BENCHMARKS.md).");
        var machine = MachineInfo.Current(backend);
        context.Error.WriteLine($"{banner}, on {machine.Cores} cores ({machine.Cpu})");
        using var system = JitProfile.CreateActorSystem("bench", loaded.Config);
        IReadOnlyList<BenchResult> results;
        try
        {
            results = run(system).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is Layers.Ranks.RankFailedException or InvalidOperationException)
        {
            return context.Fail(parse, ExitCodes.Failure, $"tpactors bench {parse.CommandResult.Command.Name}: {e.Message}", e); // a rank or group that could not start
        }
        if (parse.GetValue(json)) BenchReport.WriteJson(context.Out, machine, results);
        else BenchReport.WriteTable(context.Out, machine, results);
        return ExitCodes.Success;
    }

    // True when the runtime assembly was compiled without optimizations (a Debug build).
    private static bool IsOptimizationDisabled() =>
        typeof(BenchCommand).Assembly.GetCustomAttributes(typeof(System.Diagnostics.DebuggableAttribute), false)
            .OfType<System.Diagnostics.DebuggableAttribute>().Any(a => a.IsJITOptimizerDisabled);
}
