using TpActors.Layers.Collectives;
using TpActors.Layers.Execution.Faults;
using TpActors.Layers.Parallel;
using Akka.Actor;

namespace TpActors.Layers.Execution;

// The rank's side of training: the phases the TrainingSupervisor runs (see TrainingPhase). A phase either answers
// PhaseDone, or answers PhaseAborted / PhaseStalled when its group was aborted or a peer went silent (not this rank's
// fault), or fails the actor with a RankFaultException, which its supervisor answers with a restart and a replay.
public sealed partial class RankActor
{
    private readonly FaultPlan? _faults;
    private Communicator? _trainingGroup;
    private string? _supervisorLane; // where states go back to the supervisor, when it is in another process
    private CollectiveEndpoint? _buddy; // the rank on another host whose vault keeps a copy of each snapshot, or null
    private int _buddyRank = -1;
    private Task? _copy;               // the copy of snapshot _copyStep on its way to the buddy's host, or null
    private long _copyStep = -1;
    private CancellationTokenSource? _copyCancel; // calls off _copy
    private RankTrainer? _trainer;

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
            var result = Execute(round, run.Payload, fault?.Kind == FaultKind.Kill ? () => Kill(fault) : null);
            // A state for a supervisor in another process travels on the bulk lane; this copy is then done with.
            if (result is not null) result = LaneLetter.SealAndRelease(result, _supervisorLane, Transport, Context.System);
            Sender.Tell(new PhaseDone(round, _rank, result), Self);
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

    private object? Execute(PhaseRound round, object? payload, Action? midway)
    {
        switch (round.Phase)
        {
            case TrainingPhase.Connect:
                return Endpoint;
            case TrainingPhase.Join:
                JoinTraining((JoinTraining)payload!);
                return null;
            case TrainingPhase.Batch:
                Trainer.SetBatch(round.Step);
                return null;
            case TrainingPhase.Forward:
                Trainer.Forward();
                return null;
            case TrainingPhase.Loss:
                return Trainer.Loss();
            case TrainingPhase.Backward:
                Trainer.Backward();
                return null;
            case TrainingPhase.Optimizer:
                Trainer.Step(round.Step, payload is SnapshotInto into ? into.Reuse ?? KeptBuffer(round.Step) : null);
                return null;
            case TrainingPhase.Snapshot:
                var snapshot = Trainer.Capture(round.Step, ((SnapshotInto)payload!).Reuse ?? KeptBuffer(round.Step));
                if (!LaneLetter.IsRemote(_supervisorLane, Transport)) return snapshot;
                // The supervisor is in another process: the snapshot stays here, on the rank's host, and a copy on its buddy's.
                var vault = SnapshotVault.For(Context.System);
                vault.Keep(Context.Parent, _rank, snapshot);
                return new KeptSnapshot(round.Step, Replicated: Replicate(vault, snapshot));
            case TrainingPhase.Checkpoint:
                return Trainer.WriteCheckpoint((CheckpointRequest)payload!, midway);
            case TrainingPhase.Gather:
                return Trainer.Capture(round.Step, null);
            default:
                throw new ArgumentOutOfRangeException(nameof(round), round.Phase, "Unknown training phase.");
        }
    }

    // Joins the group, or re-forms it after a recovery; builds the model from the seed if this instance has none; restores.
    private void JoinTraining(JoinTraining join)
    {
        int index = join.Endpoints.ToList().IndexOf(Endpoint);
        if (index != _rank) throw new ArgumentException($"Rank {_rank} cannot join training group '{join.Group}': its endpoint is at position {index} of {join.Endpoints.Count}.");
        if (_trainingGroup is null) _trainingGroup = new Communicator(join.Group, _rank, join.Endpoints, _inbox, _settings.Collectives, Transport);
        else _trainingGroup.Reform(join.Group, join.Endpoints);
        if (_trainer is null) _trainer = new RankTrainer(new ParallelContext(Backend, _trainingGroup), join.Setup);
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
            case ShardState state:
                _trainer.Restore(state);
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
            case LaneLetter letter:
                using (var received = (ShardState)letter.OpenAsync(Transport, Context.System).GetAwaiter().GetResult()) _trainer.Restore(received);
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
        var aborted = _inbox.WhenAborted(group); // a copy waiting on a buddy host that died stops waiting when the group is aborted
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
            throw new CollectiveAbortedException(group, _inbox.AbortReason(group) ?? "aborted while copying a snapshot");
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
    private ShardState? KeptBuffer(long step) => LaneLetter.IsRemote(_supervisorLane, Transport) ? SnapshotVault.For(Context.System).TakeBuffer(Context.Parent, _rank, step) : null;

    private void Kill(FaultSpec fault)
    {
        Console.Error.WriteLine($"tpactors: injected fault {fault}: the process is killed{(fault.Phase == TrainingPhase.Checkpoint ? " midway through rank " + _rank + "'s checkpoint file" : "")}.");
        Console.Error.Flush();
        System.Diagnostics.Process.GetCurrentProcess().Kill(); // SIGKILL to itself: as abrupt as kill -9, and as quick
    }
}
