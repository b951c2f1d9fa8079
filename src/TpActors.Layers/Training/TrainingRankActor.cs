using Akka.Actor;
using TpActors.Layers.Collectives;
using TpActors.Layers.Ranks;
using TpActors.Layers.Sharding;
using TpActors.Layers.Snapshots;

namespace TpActors.Layers.Training;

/// <summary>
/// One rank of a training run: the phases the <see cref="TrainingSupervisor"/> runs (see <see cref="TrainingPhase"/>), on
/// the ranks' pinned dispatcher, standing on its <see cref="RankDevice"/> as a <see cref="RankActor"/> does. A phase either
/// answers PhaseDone, or answers PhaseAborted / PhaseStalled when its group was aborted or a peer went silent (not this
/// rank's fault), or fails the actor with a <see cref="RankFaultException"/>, which its supervisor answers with a restart and
/// a replay.
/// </summary>
public sealed class TrainingRankActor : ReceiveActor
{
    private readonly int _rank;
    private readonly int _blasThreads;
    private readonly RankSettings _settings;
    private readonly FaultPlan? _faults;
    private RankDevice? _device;
    private Communicator? _trainingGroup;
    private string? _supervisorLane; // where states go back to the supervisor, when it is in another process
    private CollectiveEndpoint? _buddy; // the rank on another host whose vault keeps a copy of each snapshot, or null
    private int _buddyRank = -1;
    private Task? _copy;               // the copy of snapshot _copyStep on its way to the buddy's host, or null
    private long _copyStep = -1;
    private CancellationTokenSource? _copyCancel; // calls off _copy
    private RankTrainer? _trainer;

    /// <summary>Rank <paramref name="rank"/>, whose GEMMs use <paramref name="blasThreads"/> threads; <paramref name="faults"/> are injected into its phases.</summary>
    public TrainingRankActor(int rank, int blasThreads, RankSettings settings, FaultPlan? faults = null)
    {
        _rank = rank;
        _blasThreads = blasThreads;
        _settings = settings;
        _faults = faults;
        Receive<RunPhase>(OnPhase);
    }

    /// <summary>Props for rank <paramref name="rank"/> on the ranks' pinned dispatcher (see <see cref="RankDispatcher"/>).</summary>
    public static Props Props(int rank, int blasThreads, RankSettings settings, FaultPlan? faults = null) =>
        Akka.Actor.Props.Create(() => new TrainingRankActor(rank, blasThreads, settings, faults)).WithDispatcher(RankDispatcher.Id);

    /// <inheritdoc/>
    protected override void PreStart()
    {
        _device = RankDevice.Open(Context, _rank, _blasThreads, _settings);
        // Told from a lane reader's thread, so the references are taken here: the supervisor hears at once, even mid-phase.
        var (supervisor, self, rank) = (Context.Parent, Self, _rank);
        _device.Inbox.OnDisconnected = lost => supervisor.Tell(new PeerConnectionLost(rank, lost.Group, lost.Peer), self);
    }

    /// <inheritdoc/>
    protected override void PostStop()
    {
        _device?.Dispose();
        _trainingGroup?.Dispose();
        _trainer?.Dispose();
        _trainer = null;
    }

    private RankDevice Device => _device ?? throw new InvalidOperationException($"Rank {_rank} has not started.");

    private CollectiveTransport Transport => Device.Transport;

    private CollectiveInbox Inbox => Device.Inbox;

    private RankTrainer Trainer => _trainer ?? throw new InvalidOperationException($"Rank {_rank} has not joined a training run.");

    private void OnPhase(RunPhase run)
    {
        var round = run.Round;
        var fault = run.Fault ?? _faults?.Take(_rank, round.Step, round.Phase);
        if (fault is not null) Context.System.EventStream.Publish(new FaultInjected(_rank, fault));
        switch (fault?.Kind)
        {
            case FaultKind.Stop:
                Context.Stop(Self);
                return;
            case FaultKind.Hang:
                _faults!.Hang();
                break;
            case FaultKind.Kill when round.Phase != TrainingPhase.Checkpoint:
                Kill(fault);
                break;
        }
        try
        {
            if (fault?.Kind == FaultKind.Throw) throw new InjectedFaultException(fault);
            _trainingGroup?.Recorder.Clear(); // what ran outside a phase is not this phase's
            var gemms = Device.Backend.Gemms;
            long started = DateTime.UtcNow.Ticks, clock = System.Diagnostics.Stopwatch.GetTimestamp(), flops = gemms.Flops, gemmTicks = gemms.Ticks;
            var result = Execute(round, run.Request, fault?.Kind == FaultKind.Kill ? () => Kill(fault) : null);
            long elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(clock).Ticks;
            var (collectives, dropped) = _trainingGroup?.Recorder.Take(clock) ?? ([], 0);
            var profile = new PhaseProfile(gemms.Flops - flops, gemms.Ticks - gemmTicks, collectives, dropped);
            Sender.Tell(new PhaseDone(round, _rank, result, started, elapsed, profile), Self);
        }
        catch (CollectiveAbortedException e)
        {
            _trainer?.Abandon();
            Sender.Tell(new PhaseAborted(round, _rank, e.Message), Self);
        }
        catch (CollectiveTimeoutException e)
        {
            _trainer?.Abandon();
            Sender.Tell(new PhaseStalled(round, _rank, e.MissingRanks, e.Message), Self);
        }
        catch (BuddyLostException e)
        {
            // Not this rank's fault: the buddy's host is the suspect, as a peer that went silent in a collective is.
            Sender.Tell(new PhaseStalled(round, _rank, [_buddyRank], e.Message), Self);
        }
        catch (Exception e) when (round.Phase == TrainingPhase.Checkpoint && e is IOException or UnauthorizedAccessException)
        {
            Sender.Tell(new PhaseFailed(round, _rank, e.Message), Self);
        }
        catch (Exception e)
        {
            throw new RankFaultException(_rank, round, e);
        }
    }

    // The phase's work; the result answers the request's phase (see PhaseProtocol).
    private PhaseResult Execute(PhaseRound round, PhaseRequest request, Action? midway)
    {
        switch (request)
        {
            case ConnectRequest:
                return new EndpointReported(Device.Endpoint);
            case JoinTraining join:
                JoinTraining(join);
                break;
            case BatchRequest:
                Trainer.SetBatch(round.Step);
                break;
            case ForwardRequest:
                Trainer.Forward();
                break;
            case LossRequest:
                return new LossComputed(Trainer.Loss());
            case EvaluateRequest evaluate:
                return new LossComputed(Trainer.Evaluate(evaluate.Batches));
            case BackwardRequest:
                Trainer.Backward();
                break;
            case OptimizerRequest optimizer:
                Trainer.Step(round.Step, optimizer.Snapshot is { } into ? into.Reuse ?? KeptBuffer(round.Step) : null);
                break;
            case SnapshotRequest snapshotRequest:
                var snapshot = Trainer.Capture(round.Step, snapshotRequest.Into.Reuse ?? KeptBuffer(round.Step));
                if (!BulkLaneTicket.IsRemote(_supervisorLane, Transport)) return new StateHandedOver(snapshot);
                // The supervisor is in another process: the snapshot stays here, on the rank's host, and a copy on its buddy's.
                var vault = SnapshotVault.For(Context.System);
                vault.Keep(Context.Parent, _rank, snapshot);
                return new SnapshotKept(round.Step, Replicate(vault, snapshot));
            case CheckpointRequest checkpoint:
                return Trainer.WriteCheckpoint(checkpoint, midway);
            case GatherRequest:
                return HandOver(Trainer.Capture(round.Step, null));
            default:
                throw new ArgumentOutOfRangeException(nameof(request), request, "Unknown phase request.");
        }
        return PhaseCompleted.Instance;
    }

    // A state for a supervisor in another process travels on the bulk lane (this copy is then done with); else it is handed over as it is.
    private PhaseResult HandOver(ShardState state) =>
        BulkLaneTicket.SealAndRelease(state, _supervisorLane, Transport, Context.System) is BulkLaneTicket ticket ? new StateOnBulkLane(ticket) : new StateHandedOver(state);

    // Joins the group, or re-forms it after a recovery; builds the model from the seed if this instance has none; restores.
    private void JoinTraining(JoinTraining join)
    {
        int index = join.Endpoints.ToList().IndexOf(Device.Endpoint);
        if (index != _rank) throw new ArgumentException($"Rank {_rank} cannot join training group '{join.Group}': its endpoint is at position {index} of {join.Endpoints.Count}.");
        if (_trainingGroup is null) _trainingGroup = Device.Join(join.Group, join.Endpoints);
        else _trainingGroup.Reform(join.Group, join.Endpoints);
        if (_trainer is null) _trainer = new RankTrainer(Device.Context(_trainingGroup), join.Setup);
        else _trainer.Abandon();
        _supervisorLane = join.SupervisorLane;
        _buddyRank = join.Buddy;
        _buddy = join.Buddy >= 0 ? join.Endpoints[join.Buddy] : null;
        // A copy still on its way belongs to the group before: it is called off (one waiting on a buddy host that has died
        // would hold the join for its whole timeout; one sending its bytes ends first), and the next snapshot's copy is made in
        // its phase.
        CallOffCopy();
        switch (join.Restore)
        {
            case RestoreState restore:
                _trainer.Restore(restore.State);
                break;
            case KeptSnapshot { Holder: null } kept:
                _trainer.Restore(SnapshotVault.For(Context.System).Find(Context.Parent, _rank, kept.Step));
                break;
            case KeptSnapshot { Holder: { } holder } kept:
                // Placed anew after a host was lost: the copy comes from the host that holds it, and is kept here from now on.
                var vault = SnapshotVault.For(Context.System);
                var fetched = vault.Fetch(Context.Parent, _rank, kept.Step, holder, _settings.CommandTimeout);
                _trainer.Restore(fetched);
                vault.Keep(Context.Parent, _rank, fetched);
                break;
            case RestoreFromBulkLane onLane:
                using (var received = (ShardState)onLane.Ticket.OpenAsync(Transport, Context.System).GetAwaiter().GetResult()) _trainer.Restore(received);
                break;
        }
    }

    // The snapshot's copy goes to the buddy's host while the next step trains: its phase waits only for the copy before it,
    // and answers which step's copy is now kept there. The first snapshot after a join is copied in its own phase, so a
    // re-formed group has a copy of its starting point at once. Without a buddy (one host), no copy is needed.
    private long Replicate(SnapshotVault vault, ShardState snapshot)
    {
        if (_buddy is not { } buddy) return snapshot.Step;
        string group = _trainingGroup!.Group;
        var aborted = Inbox.WhenAborted(group); // a copy waiting on a buddy host that died stops waiting when the group is aborted
        var timeout = _settings.Collectives.RoundTimeout;
        try
        {
            if (_copy is null)
            {
                vault.Replicate(Context.Parent, _rank, snapshot, buddy, timeout, aborted);
                _copy = Task.CompletedTask;
                _copyStep = snapshot.Step;
                return snapshot.Step;
            }
            long confirmed = _copyStep;
            if (!Finished(_copy, timeout, aborted)) throw new TimeoutException($"the copy of step {confirmed} was not confirmed within {timeout.TotalSeconds:0.###}s");
            _copyCancel?.Dispose();
            _copyCancel = new CancellationTokenSource();
            _copy = vault.ReplicateAsync(Context.Parent, _rank, snapshot, buddy, timeout, _copyCancel.Token);
            _copyStep = snapshot.Step;
            return confirmed;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            throw new CollectiveAbortedException(group, Inbox.AbortReason(group) ?? "aborted while copying a snapshot");
        }
        catch (Exception e) when (e is TimeoutException or IOException)
        {
            _copy = null;
            throw new BuddyLostException($"rank {_rank} could not copy its snapshot to its buddy, rank {_buddyRank}: {e.Message}", e);
        }
    }

    // Whether the copy ended within the timeout; its own failure, if it failed, is thrown as it is.
    private static bool Finished(Task copy, TimeSpan timeout, CancellationToken aborted)
    {
        try
        {
            return copy.Wait((int)timeout.TotalMilliseconds, aborted);
        }
        catch (AggregateException e) when (e.InnerException is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            throw;
        }
    }

    // Calls off the copy on its way, if any, and waits until it has ended (it reads a snapshot the vault may soon reuse).
    private void CallOffCopy()
    {
        _copyCancel?.Cancel();
        try
        {
            _copy?.Wait(_settings.Collectives.RoundTimeout);
        }
        catch (AggregateException)
        {
        }
        _copyCancel?.Dispose();
        _copyCancel = null;
        _copy = null;
        _copyStep = -1;
    }

    // The buddy's host did not take the snapshot's copy: the phase is answered as stalled on the buddy.
    private sealed class BuddyLostException(string message, Exception cause) : Exception(message, cause);

    // The buffer a snapshot kept on this host is written into: the rank's older kept one (null with a supervisor in this process, which lends its own).
    private ShardState? KeptBuffer(long step) => BulkLaneTicket.IsRemote(_supervisorLane, Transport) ? SnapshotVault.For(Context.System).TakeBuffer(Context.Parent, _rank, step) : null;

    private void Kill(FaultSpec fault)
    {
        Console.Error.WriteLine($"tpactors: injected fault {fault}: the process is killed{(fault.Phase == TrainingPhase.Checkpoint ? " midway through rank " + _rank + "'s checkpoint file" : "")}.");
        Console.Error.Flush();
        System.Diagnostics.Process.GetCurrentProcess().Kill(); // SIGKILL to itself: as abrupt as kill -9, and as quick
    }
}
