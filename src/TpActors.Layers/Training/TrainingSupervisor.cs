using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using TpActors.Runtime.Cluster;
using Akka.Event;
using TpActors.Layers.Collectives;
using TpActors.Layers.Sharding;
using TpActors.Layers.Optimizers;
using TpActors.Layers.Checkpoints;
using TpActors.Layers.Ranks;

namespace TpActors.Layers.Training;

/// <summary>
/// Owns a training run's step loop and its rank actors (its children). Every step runs as phases, each a message protocol:
/// the supervisor sends every rank <see cref="RunPhase"/> with a <see cref="PhaseRound"/> id and waits for all of them to
/// answer before the next phase, so no rank ever runs ahead of it:
/// <code>
/// batch → forward → loss → backward → optimizer (+ snapshot written in the same pass) → [snapshot handed over] → commit
///       → [checkpoint] → next step … → gather
/// </code>
/// When a rank fails (it throws: supervision restarts it; it hangs: the phase times out, it is stopped and replaced; it
/// stops: DeathWatch) the supervisor aborts the step's group everywhere (<see cref="AbortGroup"/>: ranks waiting in a
/// collective return at once, and stale messages are dropped by round id), re-forms the group under a new attempt number,
/// restores the failed rank (and any rank that already changed its state this step) from the last in-memory snapshot, and
/// replays from there. Every step is a pure function of the state before it and of (seed, step), so the run ends with the
/// bit-identical weights of a run without faults: no step is lost and none is applied twice.
/// </summary>
/// <remarks>
/// Invariants: at most one phase is outstanding (<see cref="PhaseRounds"/>); a reply whose round is not the current one is
/// dropped (its result reclaimed); the in-memory snapshots keep their own invariants (<see cref="SnapshotBook"/>).
/// </remarks>
public sealed partial class TrainingSupervisor : ReceiveActor, IWithTimers
{
    private const string PhaseTimer = "phase";

    private readonly TrainingOptions _options;
    private readonly List<IActorRef> _askers = [];   // who asked for the result (GetTrainingResult)
    private object? _outcome;                        // the result, or the Status.Failure of a TrainingFailedException
    private readonly FaultPlan _faults;
    private readonly TrainingSetup _setup;
    private readonly CheckpointDirectory? _checkpoints;
    private readonly RetryBudget _budget;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ILoggingAdapter _log;
    private readonly CollectiveTransport _transport;
    private readonly RankSettings _rankSettings; // the run's rank settings, with the training collective timeout

    private readonly IActorRef[] _ranks;
    private readonly int[] _incarnations;
    private CollectiveEndpoint?[] _endpoints;

    // The phase in flight: its id, who has yet to answer, the answers (its timeout is a timer).
    private readonly PhaseRounds _rounds;
    private long _attempt;

    // Where the run stands.
    private readonly long _startStep;
    private readonly bool _resumed;
    private long _committedStep;
    private Action _current;          // restarts the action in flight (a step, a checkpoint, the initial snapshot, gather)
    private Action _afterJoin;        // what runs once the group has (re-)joined
    private readonly List<double> _losses = [];   // one per step since the start, committed or (after a rollback) to be replayed
    private double _stepLoss;                      // the loss of the step in flight, committed with it
    private readonly SortedDictionary<long, double> _validation = []; // the held-out loss after each evaluated step
    private TimeSpan _actionStartedAt;

    // In-memory snapshots, per rank: the committed one, a spare to take the next one into, where copies are kept.
    private readonly SnapshotBook _snapshots;

    private readonly RecoveryLog _recoveries = new();
    private readonly List<string> _written = [];  // checkpoint directories, in order
    private long? _staging;                       // the step whose checkpoint is being written, until it is committed
    private bool _finished;
    private bool _stopRequested;                  // StopAfterStep arrived: the step in flight is the last
    private bool _rankCouldNotStart;              // a rank failed to initialize: the run ends with that cause

    /// <summary>A supervisor for <paramref name="options"/>; it answers <see cref="GetTrainingResult"/> when the run ends.</summary>
    /// <param name="options">The run.</param>
    /// <param name="initial">The state to start from (resuming: one per rank, cut for this TP size; the supervisor takes them), or null for the seed.</param>
    /// <param name="checkpoints">The run's opened (locked, checked) checkpoint directory, or null for none; the caller disposes it.</param>
    public TrainingSupervisor(TrainingOptions options, ShardState[]? initial, CheckpointDirectory? checkpoints)
    {
        _options = options;
        _faults = new FaultPlan(options.Faults);
        _setup = new TrainingSetup(options.Model, options.Optimizer, options.Task);
        _checkpoints = checkpoints;
        _budget = new RetryBudget(options.Settings.MaxRetries, options.Settings.RetryWindow);
        _log = Context.GetLogger();
        _transport = CollectiveTransport.For(Context.System);
        _rankSettings = options.Ranks with { Collectives = options.Ranks.Collectives with { RoundTimeout = options.Settings.CollectiveTimeout } };

        int tp = options.Tp;
        _ranks = new IActorRef[tp];
        _incarnations = new int[tp];
        _endpoints = new CollectiveEndpoint?[tp];
        _rounds = new PhaseRounds(tp);
        _snapshots = new SnapshotBook(tp);
        _hosts = options.Placement is { } placement ? new HostPlacement(placement) : null;
        if (initial is not null)
        {
            _snapshots.Resume(initial);
            _resumed = true;
            _startStep = _committedStep = _snapshots.Step;
        }
        _current = _afterJoin = FirstAction;

        Receive<PhaseDone>(done => Guard(() =>
        {
            if (done.Result is StateOnBulkLane onLane) OnTicket(done, onLane.Ticket);
            else OnDone(done);
        }));
        Receive<PhaseAborted>(aborted => Answered(aborted.Rank, aborted.Round));
        Receive<PhaseStalled>(stalled => Guard(() => OnStalled(stalled)));
        Receive<PhaseFailed>(failed => Guard(() => OnFailed(failed)));
        Receive<PhaseTimedOut>(timedOut => Guard(() => OnTimedOut(timedOut)));
        Receive<RankThrew>(threw => Guard(() => OnThrew(threw)));
        Receive<Terminated>(terminated => Guard(() => OnTerminated(terminated)));
        Receive<RankCouldNotStart>(failed => Guard(() => Fail($"Training stopped at {_rounds.Current}: rank {failed.Rank} could not start: {failed.Cause.Message} {CheckpointSentence}", failed.Cause)));
        Receive<PeerConnectionLost>(lost => Guard(() => OnPeerConnectionLost(lost)));
        Receive<ClusterEvent.UnreachableMember>(e => Guard(() => OnHostUnreachable(e.Member)));
        Receive<ClusterEvent.ReachableMember>(e => Guard(() => OnHostReachable(e.Member)));
        Receive<ClusterEvent.MemberRemoved>(e => Guard(() => OnHostLost(e.Member, "removed from the cluster")));
        Receive<VerdictOverdue>(overdue => Guard(() => OnVerdictOverdue(overdue.Member)));
        Receive<ClusterEvent.MemberUp>(e => Guard(() => OnHostUp(e.Member)));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
        Receive<RanksPlaced>(placed => Guard(() => OnPlaced(placed)));
        Receive<LossUnconfirmed>(_ => Guard(OnLossUnconfirmed));
        Receive<HostDraining>(draining => Guard(() => OnHostDraining(draining.Node)));
        Receive<RanksMoved>(moved => Guard(() => OnMoved(moved)));
        Receive<MoveFailed>(failed => Guard(() => OnMoveFailed(failed)));
        Receive<PlacementFailed>(failed => Guard(() => OnPlacementFailed(failed)));
        Receive<StopAfterStep>(_ => _stopRequested = true);
        Receive<GetTrainingResult>(_ =>
        {
            if (_outcome is null) _askers.Add(Sender);
            else Sender.Tell(_outcome);
        });
    }

    /// <summary>Props for a supervisor of <paramref name="options"/> (see the constructor).</summary>
    public static Props Props(TrainingOptions options, ShardState[]? initial = null, CheckpointDirectory? checkpoints = null) =>
        Akka.Actor.Props.Create(() => new TrainingSupervisor(options, initial, checkpoints));

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    private string Run => Self.Path.Name;

    private string Group => $"{Run}.{_attempt}";

    /// <inheritdoc/>
    protected override void PreStart()
    {
        RankDispatcher.EnsureConfigured(Context.System);
        for (int r = 0; r < _ranks.Length; r++) _ranks[r] = Spawn(r);
        WatchHosts();
        _options.Placer?.Watch(Self);
        Connect();
    }

    /// <inheritdoc/>
    protected override void PostStop()
    {
        StopWatchingHosts();
        _faults.Dispose();
        _snapshots.Dispose();
        Complete(new Status.Failure(new TrainingFailedException("The training supervisor stopped before the run finished.", [.. _recoveries.All], LastCheckpoint)));
    }

    /// <summary>
    /// A rank's phase failure restarts that rank (and is reported to the step loop, which reports it in turn, so Akka's own
    /// failure log is off); anything else stops the child. Retries are counted by the run's retry budget, not here.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(-1, -1, new LocalOnlyDecider(cause =>
    {
        // A rank that cannot start (its backend does not load) would fail again however often it is replaced.
        if (!_finished && cause is ActorInitializationException { Actor: { } actor } init && Array.IndexOf(_ranks, actor) is var rank and >= 0)
        {
            _rankCouldNotStart = true; // its Terminated is not a fault to recover from
            Self.Tell(new RankCouldNotStart(rank, init.InnerException ?? init));
        }
        if (_finished || cause is not RankFaultException fault) return Directive.Stop;
        Self.Tell(new RankThrew(fault.Rank, fault.Round, fault.InnerException ?? fault));
        return Directive.Restart;
    }), loggingEnabled: false);

    private void Fail(string message, Exception? cause = null)
    {
        _finished = true;
        if (_staging is { } step) _checkpoints!.Abandon(step); // no half-written step is left behind
        Timers.Cancel(PhaseTimer);
        _log.Info("{0}", message); // the caller reports the failure; the log has it for those who raise akka.loglevel
        _faults.Dispose();
        Complete(new Status.Failure(new TrainingFailedException(message, [.. _recoveries.All], LastCheckpoint, cause)));
        Context.Stop(Self);
    }

    // The supervisor's own errors (a checkpoint that cannot be written, a bug) end the run with the error, not a restart.
    private void Guard(Action handler)
    {
        if (_finished) return;
        try
        {
            handler();
        }
        catch (Exception e)
        {
            Fail($"Training stopped at {_rounds.Current}: {e.Message}", e);
        }
    }

    private void Publish(TrainingEvent e) => Context.System.EventStream.Publish(e);

    // The first outcome stands; everyone who asked gets it.
    private void Complete(object outcome)
    {
        if (_outcome is not null) return;
        _outcome = outcome;
        foreach (var asker in _askers) asker.Tell(outcome);
        _askers.Clear();
    }

    private sealed record PhaseTimedOut(PhaseRound Round);

    private sealed record RankThrew(int Rank, PhaseRound Round, Exception Cause);

    private sealed record RankCouldNotStart(int Rank, Exception Cause);

    private readonly record struct RankFailure(int Rank, FailureKind Kind, string Cause, PhaseRound In);
}