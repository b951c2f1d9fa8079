using System.Diagnostics;
using Akka.Actor;
using TpActors.Layers.Collectives;
using TpActors.Layers.Parallel;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Ranks;

/// <summary>
/// One rank of a tensor-parallel group, as an actor on the pinned dispatcher (its own thread, standing for its device).
/// It owns its <see cref="RankDevice"/> (backend, inbox of collective chunks, endpoint) and its shards of every layer built
/// on it, and runs layer commands one at a time. While a command is inside a collective the rank's thread waits on its
/// inbox, which peers fill through their links to the rank's <see cref="CollectiveEndpoint"/> (the transport bypasses the
/// mailbox, so a busy rank still receives its round's chunks). A failed command is answered with
/// <see cref="Status.Failure"/> and leaves the rank ready for the next one. A training run's ranks are another actor on the
/// same device (see Training/TrainingRankActor.cs).
/// </summary>
[DebuggerDisplay("rank {_rank}, {_layers.Count} layers")]
public sealed class RankActor : ReceiveActor
{
    private readonly int _rank;
    private readonly int _blasThreads;
    private readonly RankSettings _settings;
    private readonly Dictionary<string, Communicator> _groups = new();
    private readonly Dictionary<string, IParallelLayer> _layers = new();
    private string? _replyLane; // where replies with tensors go by bulk-lane ticket, when the group is in another process
    private RankDevice? _device;

    /// <summary>Rank <paramref name="rank"/>, whose GEMMs use <paramref name="blasThreads"/> threads.</summary>
    public RankActor(int rank, int blasThreads, RankSettings settings)
    {
        _rank = rank;
        _blasThreads = blasThreads;
        _settings = settings;
        Receive<GetCollectiveEndpoint>(_ => Sender.Tell(Device.Endpoint));
        Receive<GetBackendDescription>(_ => Sender.Tell(Device.Backend.Description));
        Receive<JoinGroup>(join => Answer(() => Join(join)));
        Receive<CreateLayer>(create => Answer(() => Create(create)));
        // Forward's input stays with the layer until backward; backward's gradient is done with once backward returns.
        Receive<Forward>(forward => Answer(() => new TensorReply(_rank, Layer(forward.Layer).Forward(forward.Input))));
        Receive<Backward>(backward => Answer(() =>
        {
            using var gradOutput = backward.GradOutput;
            return new TensorReply(_rank, Layer(backward.Layer).Backward(gradOutput));
        }));
        Receive<GetSavedBytes>(get => Answer(() => Layer(get.Layer).SavedBytes));
        Receive<GetParameters>(get => Answer(() => new ParametersReply(_rank, Layer(get.Layer).Parameters
            .Select(p => new ParameterShard(p.Name, p.Value.Clone(), p.Gradient.Clone(), p.Axis)).ToList())));
        Receive<RunOnRank>(run => Answer(() => run.Work(GroupContext(run.Group))));
        // A command whose tensors came on the bulk lane: opened on the rank's thread, then handled as if sent as it is.
        Receive<BulkLaneTicket>(ticket => Answer(() =>
        {
            Self.Forward(ticket.OpenAsync(Device.Transport, Context.System).GetAwaiter().GetResult());
            return NoReply;
        }));
        Receive<TimeCollective>(time => Answer(() => CollectiveTiming.Time(GroupContext(time.Group).Group, time.Operation, time.Floats, time.Iterations, time.Warmup)));
        Receive<OpenRawSink>(open => Answer(() => RawTcpProbe.OpenSink(Device.LaneHost, open.Bytes, open.Transfers, Device.Transport.Lane?.Settings.ReceiveBuffer ?? 4 << 20)));
        Receive<TimeRawSend>(send => Answer(() => RawTcpProbe.Send(send.Address, send.Bytes, send.Transfers, send.Timed, Device.Transport.Lane?.Settings.SendBuffer ?? 4 << 20)));
    }

    /// <summary>Props for rank <paramref name="rank"/> on the ranks' pinned dispatcher (see <see cref="RankDispatcher"/>).</summary>
    public static Props Props(int rank, int blasThreads, RankSettings settings) =>
        Akka.Actor.Props.Create(() => new RankActor(rank, blasThreads, settings)).WithDispatcher(RankDispatcher.Id);

    /// <inheritdoc/>
    protected override void PreStart() => _device = RankDevice.Open(Context, _rank, _blasThreads, _settings);

    /// <inheritdoc/>
    protected override void PostStop()
    {
        _device?.Dispose();
        foreach (var group in _groups.Values) group.Dispose();
        foreach (var layer in _layers.Values) layer.Dispose();
        _layers.Clear();
    }

    private RankDevice Device => _device ?? throw new InvalidOperationException($"Rank {_rank} has not started.");

    // What a handler returns when it answers later (or another handler does).
    private static readonly object NoReply = new();

    private void Answer(Func<object?> command)
    {
        object reply;
        try
        {
            reply = command() ?? new RankDone(_rank);
            if (ReferenceEquals(reply, NoReply)) return;
            reply = BulkLaneTicket.SealAndRelease(reply, _replyLane, Device.Transport, Context.System);
        }
        catch (Exception e)
        {
            reply = new Status.Failure(e);
        }
        Sender.Tell(reply, Self);
    }

    private RankDone Join(JoinGroup join)
    {
        var communicator = Device.Join(join.Group, join.Endpoints);
        if (_groups.Remove(join.Group, out var previous)) previous.Dispose();
        _replyLane = join.ReplyLane;
        _groups[join.Group] = communicator;
        return new RankDone(_rank);
    }

    private RankDone Create(CreateLayer create)
    {
        if (_layers.Remove(create.Name, out var previous)) previous.Dispose();
        _layers[create.Name] = create.Spec.Build(GroupContext(create.Group), create.Seed, create.Name);
        return new RankDone(_rank);
    }

    private IParallelLayer Layer(string name) =>
        _layers.TryGetValue(name, out var layer) ? layer
            : throw new ArgumentException($"Rank {_rank} has no layer '{name}' (it has: {(_layers.Count == 0 ? "none" : string.Join(", ", _layers.Keys))}).");

    private ParallelContext GroupContext(string group) =>
        _groups.TryGetValue(group, out var communicator) ? Device.Context(communicator)
            : throw new ArgumentException($"Rank {_rank} is not in group '{group}' (it is in: {(_groups.Count == 0 ? "none" : string.Join(", ", _groups.Keys))}).");
}
