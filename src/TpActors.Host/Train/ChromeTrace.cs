using System.Globalization;
using TpActors.Layers.Collectives;
using TpActors.Layers.Training;

namespace TpActors.Host.Train;

/// <summary>
/// A training run's timeline in the Chrome trace-event format (what PyTorch's profiler writes; Perfetto and chrome://tracing
/// open it): one process per host (this process when the ranks run in it), one thread per rank, a complete event ("X")
/// per rank per phase as the rank timed it, each step's phases nested in a "step N" event of their rank and each phase's
/// collectives nested in it (operation, bytes, link, busbw), the setup phases (connect, join) and the final gather beside
/// them, an instant event ("i") at each recovery and, once the group runs again, a "recovering" event over the time it
/// took. Times are microseconds from the first event, from the ranks' wall clocks.
/// </summary>
public sealed class ChromeTrace
{
    private const string ThisProcess = "this process";
    private readonly object _gate = new();
    private readonly List<PhaseTimed> _phases = [];
    private readonly List<(long UtcTicks, Recovery Recovery)> _recoveries = [];
    private readonly Dictionary<Recovery, long> _resolvedUtcTicks = new(ReferenceEqualityComparer.Instance);

    /// <summary>What this trace records of a run, to hand the run beside other observers.</summary>
    public TrainingObserver Observer => new() { Phase = Record, Recovery = Record, Resolved = Record };

    /// <summary>Records a rank's part of a phase.</summary>
    public void Record(PhaseTimed phase)
    {
        lock (_gate) _phases.Add(phase);
    }

    /// <summary>Marks a recovery where it is noticed.</summary>
    public void Record(Recovery recovery)
    {
        lock (_gate) _recoveries.Add((DateTime.UtcNow.Ticks, recovery));
    }

    /// <summary>Marks where the recoveries of an incident end: the group runs again.</summary>
    public void Record(RecoveryResolved resolved)
    {
        lock (_gate)
            foreach (var recovery in resolved.Recoveries) _resolvedUtcTicks[recovery] = DateTime.UtcNow.Ticks;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless a trace can be written to <paramref name="path"/> (its directory exists).</summary>
    public static void RequireWritable(string path)
    {
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (path.Length == 0 || Directory.Exists(path) || directory is null || !Directory.Exists(directory))
            throw new ArgumentException($"--trace {path}: name a file in a directory that exists.");
    }

    /// <summary>Writes the trace as one JSON object <c>{"traceEvents": [...], "displayTimeUnit": "ms"}</c> to <paramref name="path"/>.</summary>
    public void Write(string path)
    {
        List<PhaseTimed> phases;
        List<(long UtcTicks, Recovery Recovery)> recoveries;
        Dictionary<Recovery, long> resolved;
        lock (_gate) (phases, recoveries, resolved) = ([.. _phases], [.. _recoveries], new(_resolvedUtcTicks, ReferenceEqualityComparer.Instance));
        long origin = phases.Select(p => p.StartedUtcTicks).Concat(recoveries.Select(r => r.UtcTicks)).DefaultIfEmpty(0).Min();
        var hosts = phases.Select(p => p.Host ?? ThisProcess).Distinct().Order(StringComparer.Ordinal).ToList();
        int Pid(string? host) => hosts.IndexOf(host ?? ThisProcess) + 1;
        double Us(long ticks) => (ticks - origin) / 10.0;
        var events = new List<Dictionary<string, object>>();
        foreach (string host in hosts)
            events.Add(Metadata("process_name", Pid(host), 0, host == ThisProcess ? "tpactors (ranks in this process)" : $"host {host}"));
        foreach (var (host, rank) in phases.Select(p => (p.Host, p.Rank)).Distinct())
            events.Add(Metadata("thread_name", Pid(host), rank, $"rank {rank}"));

        foreach (var p in phases)
        {
            var phase = Complete(TrainingPhases.Name(p.Round.Phase), "phase", Pid(p.Host), p.Rank, Us(p.StartedUtcTicks), p.ElapsedTicks / 10.0, p.Round);
            var args = (Dictionary<string, object>)phase["args"];
            if (p.Profile.GemmGigaflops is { } gflops) args["gemm_gflops"] = Math.Round(gflops, 2);
            if (p.Profile.CollectivesDropped > 0) args["collectives_not_recorded"] = p.Profile.CollectivesDropped;
            events.Add(phase);
            foreach (var c in p.Profile.Collectives)
            {
                var collective = Complete(RoundId.OperationName(c.Operation), "collective", Pid(p.Host), p.Rank, Us(p.StartedUtcTicks + c.StartTicks), c.ElapsedTicks / 10.0, p.Round);
                var about = (Dictionary<string, object>)collective["args"];
                about["bytes"] = c.Bytes;
                about["link"] = CollectiveLinkKinds.Name(c.Link);
                about["ranks"] = c.Ranks;
                about["busbw_gbps"] = Math.Round(c.BusBandwidth / 1e9, 4);
                events.Add(collective);
            }
        }
        // Each attempt of a step on a rank: one event around its phases.
        foreach (var step in phases.Where(p => IsStepPhase(p.Round.Phase)).GroupBy(p => (p.Host, p.Rank, p.Round.Step, p.Round.Attempt)))
        {
            long start = step.Min(p => p.StartedUtcTicks), end = step.Max(p => p.StartedUtcTicks + p.ElapsedTicks);
            events.Add(Complete($"step {step.Key.Step}", "step", Pid(step.Key.Host), step.Key.Rank, Us(start), (end - start) / 10.0,
                new PhaseRound(step.Key.Attempt, step.Key.Step, TrainingPhase.Batch)));
        }
        foreach (var (ticks, r) in recoveries)
        {
            events.Add(new Dictionary<string, object>
            {
                ["name"] = $"recovery: rank {r.Rank}, {r.Kind.ToString().ToLowerInvariant()}",
                ["cat"] = "recovery",
                ["ph"] = "i",
                ["s"] = "g", // across the whole timeline
                ["ts"] = Us(ticks),
                ["pid"] = 1,
                ["tid"] = r.Rank,
                ["args"] = new Dictionary<string, object> { ["step"] = r.Step, ["phase"] = TrainingPhases.Name(r.Phase), ["cause"] = r.Cause },
            });
            if (resolved.TryGetValue(r, out long end))
            {
                var span = Complete($"recovering: rank {r.Rank}", "recovery", Pid(HostBefore(phases, r.Rank, ticks)), r.Rank, Us(ticks), (end - ticks) / 10.0, new PhaseRound(0, r.Step, r.Phase));
                ((Dictionary<string, object>)span["args"])["time_lost_ms"] = Math.Round(r.TimeLost.TotalMilliseconds, 3);
                events.Add(span);
            }
        }
        using var file = new StreamWriter(path);
        JsonOutput.WriteLine(file, new Dictionary<string, object> { ["traceEvents"] = events, ["displayTimeUnit"] = "ms" });
    }

    // Where rank ran its last phase that started before ticks (its host when it failed), or null in this process.
    private static string? HostBefore(List<PhaseTimed> phases, int rank, long ticks) =>
        phases.LastOrDefault(p => p.Rank == rank && p.StartedUtcTicks <= ticks)?.Host;

    // The phases a step runs (setup phases and the final gather are not a step's).
    private static bool IsStepPhase(TrainingPhase phase) => phase is not (TrainingPhase.Connect or TrainingPhase.Join or TrainingPhase.Gather);

    private static Dictionary<string, object> Complete(string name, string category, int pid, int tid, double ts, double dur, PhaseRound round) => new()
    {
        ["name"] = name,
        ["cat"] = category,
        ["ph"] = "X",
        ["ts"] = ts,
        ["dur"] = dur,
        ["pid"] = pid,
        ["tid"] = tid,
        ["args"] = new Dictionary<string, object> { ["step"] = round.Step, ["attempt"] = round.Attempt },
    };

    private static Dictionary<string, object> Metadata(string name, int pid, int tid, string value) => new()
    {
        ["name"] = name,
        ["ph"] = "M",
        ["pid"] = pid,
        ["tid"] = tid,
        ["args"] = new Dictionary<string, object> { ["name"] = value },
    };
}
