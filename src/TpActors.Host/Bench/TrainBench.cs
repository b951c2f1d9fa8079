using Akka.Actor;
using TpActors.Runtime.Configuration;
using TpActors.Layers.Models;
using TpActors.Layers.Checkpoints;
using TpActors.Layers.Ranks;
using TpActors.Layers.Training;

namespace TpActors.Host.Bench;

/// <summary>
/// <c>tpactors bench train</c>: the cost of fault tolerance. Training steps/s with an in-memory snapshot after every step
/// beside the same run without snapshots (alternating, best of each), and the time from a rank's failure to the group running
/// again and to the replayed step done, beside one step's time.
/// </summary>
/// <param name="Tp">Ranks.</param>
/// <param name="Layers">Residual blocks.</param>
/// <param name="Hidden">Model width.</param>
/// <param name="Ffn">Inner width.</param>
/// <param name="Batch">Rows per step.</param>
/// <param name="Steps">Steps per timed run (the first is not timed).</param>
/// <param name="Runs">Timed runs of each configuration; the best counts.</param>
public sealed record TrainBench(int Tp, int Layers, int Hidden, int Ffn, int Batch, int Steps, int Runs)
{
    /// <summary>The model timed instead of the MLP stack of these sizes (a GPT, whose batch is the defaults'); null: the MLP stack.</summary>
    public ModelSpec? Model { get; init; }

    /// <summary>The settings of <c>tpactors.bench.training</c>, and the optimizer of <c>tpactors.training</c>.</summary>
    public static TrainBench FromConfig(HoconConfig config) => new(
        config.GetInt("tpactors.bench.training.tp"),
        config.GetInt("tpactors.bench.training.layers"),
        config.GetInt("tpactors.bench.training.hidden"),
        config.GetInt("tpactors.bench.training.ffn"),
        config.GetInt("tpactors.bench.training.batch"),
        config.GetInt("tpactors.bench.training.steps"),
        config.GetInt("tpactors.bench.training.runs"));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range, or sizes that cannot fit in memory.</summary>
    /// <param name="defaults">The training run these sizes are laid over (the optimizer and the rest of <c>tpactors.training</c>).</param>
    public void Validate(TrainingOptions defaults)
    {
        SettingRules.Require("tpactors.bench.training.tp", Tp); // a fault needs a peer to survive it
        SettingRules.Require("tpactors.bench.training.steps", Steps); // one untimed, a fault in the middle
        SettingRules.Require("tpactors.bench.training.runs", Runs);
        Options(defaults).Validate(); // the model's sizes and its memory, as train checks them
    }

    // The run the bench times: these sizes over the defaults, without checkpoints, resume or faults.
    private TrainingOptions Options(TrainingOptions defaults) => defaults with
    {
        Tp = Tp,
        Model = Model ?? new MlpStackSpec(Layers, Hidden, Ffn),
        Task = Model is null ? defaults.Task with { Batch = Batch } : defaults.Task,
        EvalBatches = 0,
        Steps = Steps,
        CheckpointDirectory = null,
        ResumeFrom = null,
        Faults = [],
    };

    /// <summary>Runs the configurations; progress lines go to <paramref name="progress"/>.</summary>
    public async Task<IReadOnlyList<BenchResult>> Run(ActorSystem system, TrainingOptions defaults, TextWriter progress)
    {
        var options = Options(defaults);
        var withSnapshots = options with { Settings = options.Settings with { SnapshotEvery = 1 } };
        var without = options with { Settings = options.Settings with { SnapshotEvery = 0 } };
        double best = 0, baseline = 0;
        for (int run = 0; run < Runs; run++)
        {
            double off = await StepsPerSecond(system, without), on = await StepsPerSecond(system, withSnapshots);
            progress.WriteLine($"run {run + 1}: {on:0.00} steps/s with a snapshot every step, {off:0.00} without ({on / off:0.000}x)");
            best = Math.Max(best, on);
            baseline = Math.Max(baseline, off);
        }

        long faultStep = Steps / 2 + 1;
        var faulty = await TrainingRun.RunAsync(system, withSnapshots with { Faults = [new FaultSpec(1, faultStep, TrainingPhase.Backward, FaultKind.Throw)] });
        var recovery = faulty.Recoveries.Single();
        double stepMs = 1000 / best;
        progress.WriteLine($"fault at step {faultStep} (rank 1 throws in backward): group running again after {recovery.RecoveryTime.TotalMilliseconds:0.0} ms, " +
            $"{recovery.TimeLost.TotalMilliseconds:0.0} ms lost in all; one step takes {stepMs:0.0} ms");
        string size = Model is null ? $"tp {Tp}, {Layers} layers, hidden {Hidden}, ffn {Ffn}, batch {Batch}" : $"tp {Tp}, {Model.Sizes}, batch {defaults.Task.Batch}";
        return
        [
            new BenchResult($"train steps/s, snapshot every step ({size})", best, "steps/s", "no snapshots", baseline),
            new BenchResult("fault to group running again", recovery.RecoveryTime.TotalMilliseconds, "ms", "one training step", stepMs),
            new BenchResult("fault to resumed step (work lost + recovery)", recovery.TimeLost.TotalMilliseconds, "ms", "one training step", stepMs),
        ];
    }

    /// <summary>
    /// Training steps/s with the ranks on the cluster hosts' slots of <paramref name="lease"/> beside the same run with every
    /// rank in this process (alternating, best of each); snapshots every step in both. Then, when the lease spans two hosts
    /// or more, one more run in which rank 0's host is killed (the injected kill: the process dies at the start of a step)
    /// and placed anew: the time from the kill to its first sign (a peer's broken bulk connection), to Akka.Cluster's
    /// Unreachable, to the group running again, and to the replayed step, beside one step.
    /// </summary>
    public async Task<IReadOnlyList<BenchResult>> RunAcrossProcesses(ActorSystem driver, Runtime.Cluster.SlotLease lease, TrainingOptions defaults, TextWriter progress)
    {
        var placement = lease.Ranks;
        var options = Options(defaults) with { Settings = defaults.Settings with { SnapshotEvery = 1 } };
        int processes = placement.Select(p => p.Node).Distinct().Count();
        double best = 0, baseline = 0;
        for (int run = 0; run < Runs; run++)
        {
            double local = await StepsPerSecond(driver, options), spread = await StepsPerSecond(driver, options with { Placement = placement });
            progress.WriteLine($"run {run + 1}: {spread:0.00} steps/s with the ranks in {processes} host processes, {local:0.00} in one process ({spread / local:0.000}x)");
            best = Math.Max(best, spread);
            baseline = Math.Max(baseline, local);
        }
        string size = Model is null ? $"tp {Tp}, {Layers} layers, hidden {Hidden}, ffn {Ffn}, batch {Batch}" : $"tp {Tp}, {Model.Sizes}, batch {defaults.Task.Batch}";
        var results = new List<BenchResult> { new($"train steps/s, ranks in {processes} processes ({size})", best, "steps/s", "all ranks in one process", baseline) };
        if (processes < 2) return results;

        long killStep = Steps / 2 + 1;
        long killedAt = 0, unreachableAt = 0; // Stopwatch timestamps: the step the kill opens begins; Akka.Cluster marks the host unreachable
        var cluster = Akka.Cluster.Cluster.Get(driver);
        using var watching = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested && unreachableAt == 0)
            {
                if (Volatile.Read(ref killedAt) != 0 && !cluster.State.Unreachable.IsEmpty) unreachableAt = System.Diagnostics.Stopwatch.GetTimestamp();
                await Task.Delay(5).ConfigureAwait(false);
            }
        });
        var killed = await TrainingRun.RunAsync(driver, options with
        {
            Placement = placement,
            Placer = lease,
            Faults = [new FaultSpec(0, killStep, TrainingPhase.Batch, FaultKind.Kill)],
        }, new TrainingObserver
        {
            Step = p => // the first time only: a replay publishes the steps since the restored snapshot again
            {
                if (p.Step == killStep - 1) Interlocked.CompareExchange(ref killedAt, System.Diagnostics.Stopwatch.GetTimestamp(), 0);
            },
        });
        watching.Cancel();
        await watch;
        // The incident's first recovery carries its whole cost: from the start of the killed step to the group running again.
        var first = killed.Recoveries[0];
        double stepMs = 1000 / best, noticedMs = (first.TimeLost - first.RecoveryTime).TotalMilliseconds, runningMs = first.TimeLost.TotalMilliseconds;
        double unreachableMs = unreachableAt == 0 ? double.NaN : System.Diagnostics.Stopwatch.GetElapsedTime(killedAt, unreachableAt).TotalMilliseconds;
        string sign = first.Kind == FailureKind.Disconnected ? "a broken bulk connection" : $"rank {first.Rank} {first.Kind.ToString().ToLowerInvariant()}";
        progress.WriteLine($"rank 0's host killed at the start of step {killStep}: noticed after {noticedMs:0} ms ({sign}), unreachable to Akka.Cluster after " +
            $"{unreachableMs:0} ms, group running again on other hosts after {runningMs:0} ms, the replayed step done after about {runningMs + stepMs:0} ms; one step takes {stepMs:0.0} ms");
        results.Add(new BenchResult($"host kill -9 to the first sign ({sign})", noticedMs, "ms", "one training step", stepMs));
        results.Add(new BenchResult("host kill -9 to Unreachable (Akka's failure detector)", unreachableMs, "ms", "one training step", stepMs));
        results.Add(new BenchResult("host kill -9 to group running again (ranks placed anew, restored)", runningMs, "ms", "one training step", stepMs));
        results.Add(new BenchResult("host kill -9 to the replayed step done", runningMs + stepMs, "ms", "one training step", stepMs));
        return results;
    }

    // Steps per second after the first step (which pays for building the ranks and warming the caches).
    internal static async Task<double> StepsPerSecond(ActorSystem system, TrainingOptions options)
    {
        TimeSpan first = default, last = default;
        var observer = new TrainingObserver
        {
            Step = p =>
            {
                if (p.Step == 1) first = p.Elapsed;
                last = p.Elapsed;
            },
        };
        await TrainingRun.RunAsync(system, options, observer);
        return (options.Steps - 1) / (last - first).TotalSeconds;
    }
}
