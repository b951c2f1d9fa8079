using System.Text.Json;
using System.Threading.Channels;
using TpActors.Layers.Training;

namespace TpActors.Host.Dashboard;

/// <summary>
/// What the dashboard shows of one run, as a stream of small JSON events (step, phase, validation, recovery, placed,
/// checkpoint, member, settings, done). A page that connects first gets the history (bounded: the last steps and phases,
/// every recovery), then each event as it happens. Every subscriber has a bounded queue that drops its oldest events
/// when the page reads too slowly, so a stalled browser costs the run nothing and holds no unbounded memory.
/// </summary>
public sealed class RunFeed
{
    private const int KeptSteps = 5000, KeptPhases = 4000, KeptOthers = 20_000, QueueLength = 4096;
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private readonly object _gate = new();
    private readonly LinkedList<string> _steps = new(), _phases = new();
    private readonly List<string> _rest = []; // settings, members, recoveries, validation, placements, checkpoints, done: few
    private readonly List<Channel<string>> _subscribers = [];
    private readonly Action<string, string>? _memberChanged;
    private long _originTicks;

    /// <summary>A feed that also tells <paramref name="memberChanged"/> (address, status) of every member change, e.g. for metrics.</summary>
    public RunFeed(Action<string, string>? memberChanged = null) => _memberChanged = memberChanged;

    /// <summary>The callbacks that feed it from a run, to hand the run beside other observers.</summary>
    public TrainingObserver Observer => new()
    {
        Step = p => Add(_steps, KeptSteps, new { type = "step", step = p.Step, steps = p.Steps, loss = Finite(p.Loss), seconds = p.Elapsed.TotalSeconds, recoveries = p.Recoveries }),
        Phase = OnPhase,
        Evaluated = e => Add(null, 0, new { type = "validation", step = e.Step, loss = Finite(e.ValidationLoss) }),
        Recovery = r => Add(null, 0, new { type = "recovery", rank = r.Rank, step = r.Step, phase = TrainingPhases.Name(r.Phase), kind = r.Kind.ToString().ToLowerInvariant(), cause = r.Cause, at = Now() }),
        Placed = p => Add(null, 0, new { type = "placed", rank = p.Rank, host = p.Host, slot = p.Slot }),
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
        Interlocked.CompareExchange(ref _originTicks, p.StartedUtcTicks, 0); // the first phase starts the timeline
        Add(_phases, KeptPhases, new
        {
            type = "phase", rank = p.Rank, host = p.Host ?? "this process", step = p.Round.Step, attempt = p.Round.Attempt,
            phase = TrainingPhases.Name(p.Round.Phase), start = (p.StartedUtcTicks - Interlocked.Read(ref _originTicks)) / 10_000.0, ms = p.ElapsedTicks / 10_000.0,
        });
    }

    // Milliseconds on the phases' timeline (0 at the first phase).
    private double Now() => Interlocked.Read(ref _originTicks) == 0 ? 0 : (DateTime.UtcNow.Ticks - Interlocked.Read(ref _originTicks)) / 10_000.0;

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
