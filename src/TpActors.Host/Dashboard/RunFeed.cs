using System.Text.Json;
using System.Threading.Channels;
using TpActors.Layers.Collectives;
using TpActors.Layers.Training;
using TpActors.Layers.Verification;

namespace TpActors.Host.Dashboard;

/// <summary>
/// What the dashboard shows of one command's work, as a stream of small JSON events (step, phase with its GEMM work and
/// collectives, validation, recovery, resolved, placed, checkpoint of a training run; check of a verification; log of a
/// host; member, settings and done of every command). A page that connects first gets the history (bounded: the last steps and phases,
/// every recovery), then each event as it happens. Every subscriber has a bounded queue that drops its oldest events
/// when the page reads too slowly, so a stalled browser costs the run nothing and holds no unbounded memory.
/// </summary>
public sealed class RunFeed
{
    /// <summary>The name of the member and host that stands for this process when the ranks run in it.</summary>
    public const string ThisProcess = "this process";

    private const int KeptSteps = 5000, KeptPhases = 4000, KeptOthers = 20_000, QueueLength = 4096;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly object _gate = new();
    private readonly LinkedList<string> _steps = new(), _phases = new();
    private readonly List<string> _rest = []; // settings, members, recoveries, validation, placements, checkpoints, done: few
    private readonly List<Channel<string>> _subscribers = [];
    private readonly Action<string, string>? _memberChanged;
    private readonly Dictionary<int, string> _hosts = []; // where each rank last ran a phase, or was placed
    private readonly long _originTicks = DateTime.UtcNow.Ticks; // 0 ms on the page's timeline: when the feed was made, before the work

    /// <summary>A feed that also tells <paramref name="memberChanged"/> (address, status) of every member change, e.g. for metrics.</summary>
    public RunFeed(Action<string, string>? memberChanged = null) => _memberChanged = memberChanged;

    /// <summary>The callbacks that feed it from a run, to hand the run beside other observers.</summary>
    public TrainingObserver Observer => new()
    {
        Step = p => Add(_steps, KeptSteps, new { type = "step", step = p.Step, steps = p.Steps, loss = Finite(p.Loss), seconds = p.Elapsed.TotalSeconds, recoveries = p.Recoveries }),
        Phase = OnPhase,
        Evaluated = e => Add(null, 0, new { type = "validation", step = e.Step, loss = Finite(e.ValidationLoss) }),
        Recovery = r => Add(null, 0, new { type = "recovery", rank = r.Rank, host = HostOf(r.Rank), step = r.Step, phase = TrainingPhases.Name(r.Phase), kind = r.Kind.ToString().ToLowerInvariant(), cause = r.Cause, at = Now() }),
        Resolved = e => Add(null, 0, new { type = "resolved", at = Now(), recoveries = e.Recoveries.Select(r => new { rank = r.Rank, step = r.Step, lostMs = r.TimeLost.TotalMilliseconds, recoveryMs = r.RecoveryTime.TotalMilliseconds }) }),
        Placed = p =>
        {
            lock (_hosts) _hosts[p.Rank] = p.Host;
            Add(null, 0, new { type = "placed", rank = p.Rank, host = p.Host, slot = p.Slot });
        },
        Checkpoint = d => Add(null, 0, new { type = "checkpoint", directory = d }),
    };

    /// <summary>The run's settings, shown as a table (name → value).</summary>
    public void Settings(IReadOnlyDictionary<string, string> settings) => Add(null, 0, new { type = "settings", settings });

    /// <summary>A cluster member's status changed (Up, Unreachable, Down, Removed, …), or this process when the ranks run in it.</summary>
    public void Member(string address, string status, int slots, IReadOnlyList<string> roles)
    {
        _memberChanged?.Invoke(address, status);
        Add(null, 0, new { type = "member", address, status, slots, roles, at = Now() });
    }

    /// <summary>A verification's check, with its errors and whether it passed.</summary>
    public void Check(CheckResult c) => Add(null, 0, new
    {
        type = "check", name = c.Name, shape = c.Shape, maxAbsError = Finite(c.MaxAbsError), maxRelError = Finite(c.MaxRelError), tolerance = c.Tolerance, passed = c.Passed,
    });

    /// <summary>A line of the command's log (a host's leases and releases, say).</summary>
    public void Log(string line) => Add(null, 0, new { type = "log", line, at = Now() });

    /// <summary>The run ended, with its summary line.</summary>
    public void Done(string summary) => Add(null, 0, new { type = "done", summary, at = Now() });

    /// <summary>A reader of every event from now on, after the history; complete it (or cancel the read) to leave.</summary>
    public ChannelReader<string> Subscribe(CancellationToken leave)
    {
        Channel<string> channel;
        lock (_gate)
        {
            // Room for the whole history, then for QueueLength live events: only a page that falls that far behind loses any.
            int history = _rest.Count + _steps.Count + _phases.Count;
            channel = Channel.CreateBounded<string>(new BoundedChannelOptions(history + QueueLength) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
            foreach (string e in _rest.Concat(_steps).Concat(_phases)) channel.Writer.TryWrite(e);
            _subscribers.Add(channel);
        }
        leave.Register(() =>
        {
            lock (_gate) _subscribers.Remove(channel);
            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    private void OnPhase(PhaseTimed p)
    {
        string host = p.Host ?? ThisProcess;
        lock (_hosts) _hosts[p.Rank] = host;
        var profile = p.Profile;
        Add(_phases, KeptPhases, new
        {
            type = "phase", rank = p.Rank, host, step = p.Round.Step, attempt = p.Round.Attempt,
            phase = TrainingPhases.Name(p.Round.Phase), start = (p.StartedUtcTicks - _originTicks) / 10_000.0, ms = p.ElapsedTicks / 10_000.0,
            gemmFlops = profile.GemmFlops, gemmMs = profile.GemmTicks / 10_000.0,
            // Each collective as [operation, link, ranks, bytes, start ms from the phase's start, ms]: compact, since a phase may run dozens.
            collectives = profile.Collectives.Select(c => new object[]
            {
                RoundId.OperationName(c.Operation), CollectiveLinkKinds.Name(c.Link), c.Ranks, c.Bytes, Math.Round(c.StartTicks / 10_000.0, 4), Math.Round(c.ElapsedTicks / 10_000.0, 4),
            }),
        });
    }

    private string HostOf(int rank)
    {
        lock (_hosts) return _hosts.GetValueOrDefault(rank, ThisProcess);
    }

    // Milliseconds on the page's timeline.
    private double Now() => (DateTime.UtcNow.Ticks - _originTicks) / 10_000.0;

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private void Add(LinkedList<string>? history, int keep, object e)
    {
        string json = JsonSerializer.Serialize(e, Json);
        lock (_gate)
        {
            if (history is null)
            {
                _rest.Add(json);
                if (_rest.Count > KeptOthers) _rest.RemoveAt(1); // the settings come first and stay
            }
            else
            {
                history.AddLast(json);
                if (history.Count > keep) history.RemoveFirst();
            }
            foreach (var subscriber in _subscribers) subscriber.Writer.TryWrite(json);
        }
    }
}
