using System.Diagnostics;
using TpActors.Layers.Collectives;
using TpActors.Layers.Probes;
using TpActors.Layers.Execution.Faults;
using TpActors.Layers.Parallel;
using TpActors.Layers.Tensors;
using TpActors.Runtime.Cluster;
using Akka.Actor;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Execution;

/// <summary>
/// One rank of a tensor-parallel group, as an actor on the pinned dispatcher (its own thread, standing for its device).
/// It owns its backend, its inbox for collective messages and its shards of every layer built on it, and runs layer
/// commands one at a time. While a command is inside a collective the rank's thread waits on its inbox, which peers fill
/// through their links to the rank's <see cref="CollectiveEndpoint"/> (the transport bypasses the mailbox, so a busy rank
/// still receives its round's chunks). A failed layer command is answered with <see cref="Status.Failure"/> and leaves the rank ready for the
/// next one; a failed training phase is the rank's failure, for its supervisor to handle (see RankActor.Training.cs).
/// </summary>
[DebuggerDisplay("rank {_rank}, {_layers.Count} layers")]
public sealed partial class RankActor : ReceiveActor
{
    private readonly int _rank;
    private readonly int _blasThreads;
    private readonly RankSettings _settings;
    private readonly CollectiveInbox _inbox;
    private readonly Dictionary<string, Communicator> _groups = new();
    private readonly Dictionary<string, IParallelLayer> _layers = new();
    private CollectiveEndpoint? _endpoint;
    private string? _replyLane; // where replies with tensors go by lane letter, when the group is in another process
    private CpuBackend? _backend;

    /// <summary>Rank <paramref name="rank"/>, whose GEMMs use <paramref name="blasThreads"/> threads; <paramref name="faults"/> are injected into training phases.</summary>
    public RankActor(int rank, int blasThreads, RankSettings settings, FaultPlan? faults = null)
    {
        _rank = rank;
        _blasThreads = blasThreads;
        _settings = settings;
        _faults = faults;
        _inbox = new CollectiveInbox(SchedulerTimeProvider.For(Context.System)); // virtual under a TestScheduler
        Receive<GetCollectiveEndpoint>(_ => Sender.Tell(Endpoint));
        Receive<GetBackendDescription>(_ => Sender.Tell(Backend.Description));
        Receive<JoinGroup>(join => Answer(() => Join(join)));
        Receive<CreateLayer>(create => Answer(() => Create(create)));
        // Forward's input stays with the layer until backward; backward's gradient is done with once backward returns.
        Receive<Forward>(forward => Answer(() => new TensorReply(_rank, Layer(forward.Layer).Forward(forward.Input))));
        Receive<Backward>(backward => Answer(() =>
        {
            using var gradOutput = backward.GradOutput;
            return new TensorReply(_rank, Layer(backward.Layer).Backward(gradOutput));
        }));
        Receive<GetParameters>(get => Answer(() => new ParametersReply(_rank, Layer(get.Layer).Parameters
            .Select(p => new ParameterShard(p.Name, p.Value.Clone(), p.Gradient.Clone(), p.Axis)).ToList())));
        Receive<RunOnRank>(run => Answer(() => run.Work(GroupContext(run.Group))));
        Receive<RunPhase>(OnPhase);
        // A command whose tensors came on the bulk lane: opened on the rank's thread, then handled as if sent as it is.
        Receive<LaneLetter>(letter => Answer(() =>
        {
            Self.Forward(letter.OpenAsync(Transport, Context.System).GetAwaiter().GetResult());
            return NoReply;
        }));
        Receive<TimeCollective>(time => Answer(() => CollectiveTiming.Time(GroupContext(time.Group).Group, time.Operation, time.Floats, time.Iterations, time.Warmup)));
        Receive<OpenRawSink>(open => Answer(() => RawTcpProbe.OpenSink(LaneHost, open.Bytes, open.Transfers, Transport.Lane?.Settings.ReceiveBuffer ?? 4 << 20)));
        Receive<TimeRawSend>(send => Answer(() => RawTcpProbe.Send(send.Address, send.Bytes, send.Transfers, send.Timed, Transport.Lane?.Settings.SendBuffer ?? 4 << 20)));
    }

    /// <summary>Props for rank <paramref name="rank"/> on the ranks' pinned dispatcher (see <see cref="RankDispatcher"/>).</summary>
    public static Props Props(int rank, int blasThreads, RankSettings settings, FaultPlan? faults = null) =>
        Akka.Actor.Props.Create(() => new RankActor(rank, blasThreads, settings, faults)).WithDispatcher(RankDispatcher.Id);

    /// <inheritdoc/>
    protected override void PreStart()
    {
        // Created here, on the rank's own thread, as a device context would be.
        _backend = CpuBackend.Create(_settings.Backend, _blasThreads);
        _endpoint = Transport.Register(Self, _inbox);
        // Told from a lane reader's thread, so the references are taken here: the supervisor hears at once, even mid-phase.
        var (supervisor, self, rank) = (Context.Parent, Self, _rank);
        _inbox.OnDisconnected = lost => supervisor.Tell(new PeerConnectionLost(rank, lost.Group, lost.Peer), self);
    }

    /// <inheritdoc/>
    protected override void PostStop()
    {
        if (_endpoint is not null) Transport.Unregister(_endpoint);
        _inbox.Close();
        foreach (var group in _groups.Values) group.Dispose();
        _trainingGroup?.Dispose();
        foreach (var layer in _layers.Values) layer.Dispose();
        _layers.Clear();
        _trainer?.Dispose();
        _trainer = null;
    }

    private CpuBackend Backend => _backend ?? throw new InvalidOperationException($"Rank {_rank} has not started.");

    private CollectiveEndpoint Endpoint => _endpoint ?? throw new InvalidOperationException($"Rank {_rank} has not started.");

    private CollectiveTransport Transport => CollectiveTransport.For(Context.System);

    // The IP address this process's bulk lane listens on (loopback without one).
    private string LaneHost => Transport.Lane is { } lane ? NodeAddress.Parse(lane.Address, "the bulk lane").Host : "127.0.0.1";

    // What a handler returns when it answers later (or another handler does).
    private static readonly object NoReply = new();

    private void Answer(Func<object?> command)
    {
        object reply;
        try
        {
            reply = command() ?? new RankDone(_rank);
            if (ReferenceEquals(reply, NoReply)) return;
            reply = LaneLetter.SealAndRelease(reply, _replyLane, Transport, Context.System);
        }
        catch (Exception e)
        {
            reply = new Status.Failure(e);
        }
        Sender.Tell(reply, Self);
    }

    private RankDone Join(JoinGroup join)
    {
        int rankInGroup = join.Endpoints.ToList().IndexOf(Endpoint);
        if (rankInGroup < 0)
            throw new ArgumentException($"Rank {_rank} cannot join group '{join.Group}': its endpoint is not among the {join.Endpoints.Count} members.");
        if (_groups.Remove(join.Group, out var previous)) previous.Dispose();
        _replyLane = join.ReplyLane;
        _groups[join.Group] = new Communicator(join.Group, rankInGroup, join.Endpoints, _inbox, _settings.Collectives, Transport);
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
        _groups.TryGetValue(group, out var communicator) ? new ParallelContext(Backend, communicator)
            : throw new ArgumentException($"Rank {_rank} is not in group '{group}' (it is in: {(_groups.Count == 0 ? "none" : string.Join(", ", _groups.Keys))}).");
}
