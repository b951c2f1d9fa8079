using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using TpActors.Layers.Collectives;
using TpActors.Layers.Execution.Checkpoints;
using TpActors.Layers.Execution.Faults;
using TpActors.Layers.Execution.Model;
using TpActors.Layers.Parallel;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Execution;

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
/// Invariants: at most one phase is outstanding (<see cref="_round"/>); a reply whose round is not the current one is
/// dropped (its result reclaimed); <see cref="_snapshot"/> holds each rank's state after <see cref="_snapshotStep"/> and is
/// never written while it is the committed snapshot (snapshots go into <see cref="_spare"/> and are swapped on completion).
/// </remarks>
public sealed class TrainingSupervisor : ReceiveActor, IWithTimers
{
    private const string PhaseTimer = "phase";

    private readonly TrainingOptions _options;
    private readonly List<IActorRef> _askers = [];   // who asked for the result (GetTrainingResult)
    private object? _outcome;                        // the result, or the Status.Failure of a TrainingFailedException
    private readonly FaultPlan _faults;
    private readonly TrainingSetup _setup;
    private readonly SyntheticTask _task;
    private readonly CheckpointDirectory? _checkpoints;
    private readonly RetryBudget _budget;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ILoggingAdapter _log;
    private readonly ICollectiveTransport _transport;
    private readonly int _threadsPerRank;
    private readonly RankSettings _rankSettings; // the run's rank settings, with the training collective timeout

    private readonly IActorRef[] _ranks;
    private readonly int[] _incarnations;
    private CollectiveEndpoint?[] _endpoints;

    // The phase in flight: its id, who has yet to answer, the answers, and its timeout.
    private PhaseRound _round;
    private readonly bool[] _waiting;
    private readonly UnansweredRounds _unanswered;
    private readonly object?[] _results;
    private long _attempt;

    // Where the run stands.
    private readonly long _startStep;
    private readonly bool _resumed;
    private long _committedStep;
    private Action _current;          // restarts the action in flight (a step, a checkpoint, the initial snapshot, gather)
    private Action _afterJoin;        // what runs once the group has (re-)joined
    private readonly List<double> _losses = [];   // one per committed step since the start
    private double _stepLoss;                      // the loss of the step in flight, committed with it
    private TimeSpan _actionStartedAt;

    // In-memory snapshots, per rank: the committed one and a spare to take the next one into.
    private readonly ShardState?[] _snapshot;
    private readonly ShardState?[] _spare;
    private long _snapshotStep = -1;
    private readonly bool[] _restore; // ranks to restore from _snapshot at the next join

    private readonly RecoveryLog _recoveries = new();
    private readonly List<string> _written = [];  // checkpoint directories, in order
    private long? _staging;                       // the step whose checkpoint is being written, until it is committed
    private bool _finished;
    private bool _stopRequested;                  // StopAfterStep arrived: the step in flight is the last

    /// <summary>A supervisor for <paramref name="options"/>; it answers <see cref="GetTrainingResult"/> when the run ends.</summary>
    /// <param name="options">The run.</param>
    /// <param name="initial">The state to start from (resuming: one per rank, cut for this TP size; the supervisor takes them), or null for the seed.</param>
    /// <param name="checkpoints">The run's opened (locked, checked) checkpoint directory, or null for none; the caller disposes it.</param>
    public TrainingSupervisor(TrainingOptions options, ShardState[]? initial, CheckpointDirectory? checkpoints)
    {
        _options = options;
        _faults = new FaultPlan(options.Faults);
        _setup = new TrainingSetup(options.Model, options.Optimizer, options.Task.Seed);
        _task = new SyntheticTask(options.Task, options.Model.Hidden, CpuBackend.Create(BackendKind.Managed, 1));
        _checkpoints = checkpoints;
        _budget = new RetryBudget(options.Settings.MaxRetries, options.Settings.RetryWindow);
        _log = Context.GetLogger();
        _transport = InProcessTransport.For(Context.System);
        _threadsPerRank = options.Ranks.ThreadsPerRank(options.Tp);
        _rankSettings = options.Ranks with { Collectives = options.Ranks.Collectives with { RoundTimeout = options.Settings.CollectiveTimeout } };

        int tp = options.Tp;
        _ranks = new IActorRef[tp];
        _incarnations = new int[tp];
        _endpoints = new CollectiveEndpoint?[tp];
        _waiting = new bool[tp];
        _unanswered = new UnansweredRounds(tp);
        _results = new object?[tp];
        _snapshot = new ShardState?[tp];
        _spare = new ShardState?[tp];
        _restore = new bool[tp];
        if (initial is not null)
        {
            if (initial.Length != tp) throw new ArgumentException($"The initial state has {initial.Length} ranks; the run has {tp}.", nameof(initial));
            _resumed = true;
            _startStep = _committedStep = _snapshotStep = initial[0].Step;
            initial.CopyTo(_snapshot, 0);
            Array.Fill(_restore, true);
        }
        _current = _afterJoin = FirstAction;

        Receive<PhaseDone>(done => Guard(() => OnDone(done)));
        Receive<PhaseAborted>(aborted => Answered(aborted.Rank, aborted.Round));
        Receive<PhaseStalled>(stalled => Guard(() => OnStalled(stalled)));
        Receive<PhaseFailed>(failed => Guard(() => OnFailed(failed)));
        Receive<PhaseTimedOut>(timedOut => Guard(() => OnTimedOut(timedOut)));
        Receive<RankThrew>(threw => Guard(() => OnThrew(threw)));
        Receive<Terminated>(terminated => Guard(() => OnTerminated(terminated)));
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
        Connect();
    }

    /// <inheritdoc/>
    protected override void PostStop()
    {
        _faults.Dispose();
        foreach (var state in _snapshot.Concat(_spare)) state?.Dispose();
        _task.Dispose();
        Complete(new Status.Failure(new TrainingFailedException("The training supervisor stopped before the run finished.", [.. _recoveries.All], LastCheckpoint)));
    }

    /// <summary>
    /// A rank's phase failure restarts that rank (and is reported to the step loop, which reports it in turn, so Akka's own
    /// failure log is off); anything else stops the child. Retries are counted by the run's retry budget, not here.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(-1, -1, new LocalOnlyDecider(cause =>
    {
        if (_finished || cause is not RankFaultException fault) return Directive.Stop;
        Self.Tell(new RankThrew(fault.Rank, fault.Round, fault.InnerException ?? fault));
        return Directive.Restart;
    }), loggingEnabled: false);

    // ---- the phase protocol -------------------------------------------------------------------------------------------

    private void Dispatch(TrainingPhase phase, long step, Func<int, object?> payload)
    {
        _round = new PhaseRound(_attempt, step, phase);
        Array.Fill(_waiting, true);
        Array.Clear(_results);
        for (int r = 0; r < _ranks.Length; r++)
        {
            _unanswered.Sent(r, _round);
            _ranks[r].Tell(new RunPhase(_round, payload(r)), Self);
        }
        Timers.StartSingleTimer(PhaseTimer, new PhaseTimedOut(_round), _options.Settings.PhaseTimeout);
    }

    private void OnDone(PhaseDone done)
    {
        Answered(done.Rank, done.Round);
        if (done.Round != _round || !_waiting[done.Rank])
        {
            Reclaim(done.Rank, done.Result);
            return;
        }
        _waiting[done.Rank] = false;
        _results[done.Rank] = done.Result;
        if (_waiting.Any(w => w)) return;
        Timers.Cancel(PhaseTimer);
        Completed(_round);
    }

    private void Completed(PhaseRound round)
    {
        long step = round.Step;
        switch (round.Phase)
        {
            case TrainingPhase.Connect:
                _endpoints = _results.Cast<CollectiveEndpoint>().ToArray();
                var endpoints = _endpoints.Cast<CollectiveEndpoint>().ToList();
                Dispatch(TrainingPhase.Join, step, r => new JoinTraining(Group, endpoints, _setup, _restore[r] ? _snapshot[r] : null));
                break;
            case TrainingPhase.Join:
                Array.Clear(_restore);
                _recoveries.Resolve(_clock.Elapsed);
                _afterJoin();
                break;
            case TrainingPhase.Batch:
                Dispatch(TrainingPhase.Forward, step, _ => null);
                break;
            case TrainingPhase.Forward:
                Dispatch(TrainingPhase.Loss, step, _ => null);
                break;
            case TrainingPhase.Loss:
                _stepLoss = (double)_results[0]!;
                System.Diagnostics.Debug.Assert(_results.All(l => BitConverter.DoubleToInt64Bits((double)l!) == BitConverter.DoubleToInt64Bits(_stepLoss)),
                    "every rank computes the loss from the same replicated output, bit for bit (NaN included)");
                if (!double.IsFinite(_stepLoss))
                {
                    // Diverged: no retry or replay changes a pure function of the state, and an update would spread the NaN.
                    Fail($"Training stopped at step {step}, loss phase: the loss is {_stepLoss.ToString(System.Globalization.CultureInfo.InvariantCulture)}; " +
                         $"the run diverged (try a smaller --lr than {_options.Optimizer.LearningRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}). " +
                         $"Nothing after step {_committedStep} was applied. {CheckpointSentence}");
                    return;
                }
                Dispatch(TrainingPhase.Backward, step, _ => null);
                break;
            case TrainingPhase.Backward:
                // When a snapshot is due, the ranks write it in the same pass as the update; the snapshot phase hands it over.
                Dispatch(TrainingPhase.Optimizer, step, r => SnapshotDue(step) ? HandOverSpare(r) : null);
                break;
            case TrainingPhase.Optimizer:
                if (SnapshotDue(step)) Dispatch(TrainingPhase.Snapshot, step, _ => new SnapshotInto(null));
                else Commit(step);
                break;
            case TrainingPhase.Snapshot:
                for (int r = 0; r < _ranks.Length; r++)
                {
                    _spare[r] = _snapshot[r];
                    _snapshot[r] = (ShardState)_results[r]!;
                }
                _snapshotStep = step;
                if (step > _committedStep) Commit(step);
                else NextAction(); // the snapshot of the starting state
                break;
            case TrainingPhase.Checkpoint:
                if (CommitCheckpoint(step)) NextAction();
                break;
            case TrainingPhase.Gather:
                Finish();
                break;
        }
    }

    // ---- the step loop -----------------------------------------------------------------------------------------------

    private void FirstAction()
    {
        if (_options.Settings.SnapshotEvery > 0 && _snapshotStep != _committedStep) Begin(InitialSnapshot);
        else NextAction();
    }

    private void InitialSnapshot() => Dispatch(TrainingPhase.Snapshot, _committedStep, HandOverSpare);

    private void NextAction()
    {
        if (_committedStep >= _options.Steps || _stopRequested) Begin(Gather);
        else
        {
            long step = _committedStep + 1;
            Begin(() => StartStep(step));
        }
    }

    // Runs an action and remembers it, so that a recovery that leaves the survivors' state untouched can run it again.
    private void Begin(Action action)
    {
        _current = action;
        _actionStartedAt = _clock.Elapsed;
        action();
    }

    private void StartStep(long step)
    {
        var (inputs, targets) = _task.Batch(step);
        using (inputs)
        using (targets)
            Dispatch(TrainingPhase.Batch, step, _ => new BatchData(inputs.Clone(), targets.Clone()));
    }

    private bool SnapshotDue(long step) => _options.Settings.SnapshotEvery > 0 && step % _options.Settings.SnapshotEvery == 0;

    private SnapshotInto HandOverSpare(int rank)
    {
        var reuse = _spare[rank];
        _spare[rank] = null; // it belongs to the rank now
        return new SnapshotInto(reuse);
    }

    private void Commit(long step)
    {
        _committedStep = step;
        _losses.Add(_stepLoss);
        Publish(new StepCommitted(Run, new TrainingProgress(step, _options.Steps, _startStep, _stepLoss, _clock.Elapsed, _recoveries.All.Count)));
        bool last = step == _options.Steps || _stopRequested; // a stopped run is saved where it stopped, as at its last step
        if (_checkpoints is not null && (last || (_options.CheckpointEvery > 0 && step % _options.CheckpointEvery == 0)))
            Begin(() => WriteCheckpoint(step));
        else NextAction();
    }

    private void WriteCheckpoint(long step)
    {
        if (_written.Contains(_checkpoints!.StepDirectory(step)))
        {
            NextAction(); // this run wrote it before the step was replayed, bit for bit what the replay would write
            return;
        }
        _staging = step;
        string staging;
        try
        {
            staging = _checkpoints.Begin(step);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            FailCheckpoint(step, $"the checkpoint directory {_checkpoints.Root} cannot be written: {e.Message}");
            return;
        }
        Dispatch(TrainingPhase.Checkpoint, step, r => new CheckpointRequest(staging, _ranks.Length, new Dictionary<string, string>
        {
            ["format"] = "tpactors-shard",
            ["step"] = step.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["rank"] = r.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["tp"] = _ranks.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
    }

    private bool CommitCheckpoint(long step)
    {
        var files = _results.Cast<ShardFileWritten>().ToList();
        var tensors = files[0].Layout.Select((t, i) =>
        {
            int[] shape = (int[])t.Shape.Clone();
            if (t.Axis != ShardAxis.Replicated)
                shape[t.Axis == ShardAxis.Rows ? 0 : shape.Length - 1] = files.Sum(f => f.Layout[i].Shape[t.Axis == ShardAxis.Rows ? 0 : shape.Length - 1]);
            return new CheckpointTensor(t.Name, CheckpointTensor.AxisName(t.Axis), shape);
        }).ToList();
        var metadata = CheckpointMetadata.Describe(step, _ranks.Length, _options.Model, _options.Task, _options.Optimizer, tensors,
            files.Select((f, r) => new CheckpointFile(r, f.FileName, f.Digest.Bytes, f.Digest.Sha256)).ToList());
        try
        {
            _written.Add(_checkpoints!.Commit(step, metadata));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            FailCheckpoint(step, $"its metadata could not be written to {_checkpoints!.Root}: {e.Message}");
            return false;
        }
        _staging = null;
        Publish(new CheckpointCommitted(Run, _written[^1]));
        return true;
    }

    // A checkpoint that cannot be written stops the run: a retry meets the same full disk or read-only mount.
    private void FailCheckpoint(long step, string reason) =>
        Fail($"Training stopped at step {step}, checkpoint phase: {reason}. Step {step} was trained but not saved. {CheckpointSentence}");

    private string CheckpointSentence => LastCheckpoint is null ? "No checkpoint was written." : $"The last checkpoint, {LastCheckpoint}, is intact.";

    private void Gather() => Dispatch(TrainingPhase.Gather, _committedStep, _ => null);

    private void Finish()
    {
        var states = _results.Cast<ShardState>().ToList();
        try
        {
            var full = states[0].Tensors.Select(t => (t.Name, Value: ShardAssembly.Assemble(states.Select(s => s[t.Name].Value).ToList(), t.Axis))).ToList();
            string digest = WeightsDigest.Of(full.Where(t => !_options.Optimizer.IsSlot(t.Name)));
            IReadOnlyDictionary<string, Tensor>? kept = null;
            if (_options.KeepFinalState) kept = full.ToDictionary(t => t.Name, t => t.Value);
            else foreach (var (_, value) in full) value.Dispose();
            var result = new TrainingResult(_startStep, _committedStep, [.. _losses], [.. _recoveries.All], digest, _clock.Elapsed, _options.Ranks.BackendDescription(_ranks.Length), [.. _written], kept)
            {
                Stopped = _committedStep < _options.Steps,
            };
            _finished = true;
            _faults.Dispose();
            Complete(result);
        }
        finally
        {
            foreach (var state in states) state.Dispose();
        }
        Context.Stop(Self);
    }

    // ---- failures ----------------------------------------------------------------------------------------------------

    private void Answered(int rank, PhaseRound round) => _unanswered.Answered(rank, round);

    private void OnThrew(RankThrew threw)
    {
        Answered(threw.Rank, threw.Round);
        Recover([new Failure(threw.Rank, FailureKind.Threw, threw.Cause.Message, threw.Round)]);
    }

    private void OnStalled(PhaseStalled stalled)
    {
        Answered(stalled.Rank, stalled.Round);
        if (stalled.Round != _round) return;
        var suspects = stalled.Missing.Where(r => r != stalled.Rank && (uint)r < (uint)_ranks.Length).Distinct().ToList();
        if (suspects.Count == 0) suspects = [stalled.Rank];
        Recover(suspects.Select(r => new Failure(r, FailureKind.Hung,
            $"did not answer its peers in a collective within {_options.Settings.CollectiveTimeout.TotalSeconds:0.###}s (reported by rank {stalled.Rank})", StuckIn(r))).ToList());
    }

    private void OnFailed(PhaseFailed failed)
    {
        Answered(failed.Rank, failed.Round);
        if (failed.Round != _round) return;
        if (failed.Round.Phase == TrainingPhase.Checkpoint) FailCheckpoint(failed.Round.Step, $"rank {failed.Rank} could not write its file: {failed.Reason}");
        else Fail($"Training stopped at {failed.Round}: rank {failed.Rank}: {failed.Reason}. {CheckpointSentence}");
    }

    private void OnTimedOut(PhaseTimedOut timedOut)
    {
        if (timedOut.Round != _round || !_waiting.Any(w => w)) return;
        var silent = Enumerable.Range(0, _ranks.Length).Where(r => _waiting[r]).ToList();
        Recover(silent.Select(r => new Failure(r, FailureKind.Hung, $"did not answer within the phase timeout of {_options.Settings.PhaseTimeout.TotalSeconds:0.###}s", StuckIn(r))).ToList());
    }

    private void OnTerminated(Terminated terminated)
    {
        int rank = Array.IndexOf(_ranks, terminated.ActorRef);
        if (rank < 0 || _finished) return; // a rank already replaced
        Recover([new Failure(rank, FailureKind.Stopped, "its actor stopped (DeathWatch)", StuckIn(rank))]);
    }

    // The round a silent or stopped rank was in.
    private PhaseRound StuckIn(int rank) => _unanswered.StuckIn(rank, _round);

    // Each failure names the round it happened in; a failure noticed while an earlier one is being recovered from (a second
    // rank that threw in the same step) happened in that earlier round, not in the re-forming one.
    private void Recover(IReadOnlyList<Failure> failures)
    {
        if (_finished) return;
        var phase = _round.Phase;
        foreach (var (rank, kind, cause, failedIn) in failures)
        {
            var recovery = new Recovery(rank, failedIn.Step, failedIn.Phase, kind, cause);
            _recoveries.Open(recovery, _clock.Elapsed, _actionStartedAt);
            _log.Info("Rank {0} failed at {1}: {2}. Recovering.", rank, _round, cause);
            Publish(new RankRecovering(Run, recovery));
        }
        Timers.Cancel(PhaseTimer);
        if (!_budget.TryRecord(failures.Count, _clock.Elapsed))
        {
            var last = _recoveries.Last;
            Fail($"Training stopped at step {last.Step}, {TrainingPhases.Name(last.Phase)} phase: rank {last.Rank} {last.Cause}. " +
                 $"That is {_budget.InWindow} failures within {_options.Settings.RetryWindow.TotalSeconds:0.###}s, more than tpactors.training.max-retries = {_options.Settings.MaxRetries}. " +
                 (LastCheckpoint is null ? "No checkpoint was written." : $"The last checkpoint, {LastCheckpoint}, is intact."));
            return;
        }

        // Abandon the attempt: ranks waiting in one of its collectives return at once, its late messages are dropped.
        string aborted = Group;
        var abort = new AbortGroup(aborted, $"rank {failures[0].Rank} failed in {_round}");
        foreach (var endpoint in _endpoints) if (endpoint is not null) _transport.Connect(endpoint).Post(abort);
        _attempt++;
        foreach (var (rank, kind, _, _) in failures)
        {
            if (kind == FailureKind.Threw) continue; // restarting in place
            Context.Unwatch(_ranks[rank]);
            if (kind == FailureKind.Hung) Context.Stop(_ranks[rank]);
            _ranks[rank] = Spawn(rank);
        }

        if (!PlanRestore(failures.Select(f => f.Rank).ToList(), phase)) return;
        Connect();
    }

    // Decides which ranks to restore and what to run after the rejoin; false (and the run failed) when nothing can be restored.
    private bool PlanRestore(IReadOnlyList<int> failed, TrainingPhase phase)
    {
        bool snapshotCurrent = _snapshotStep == _committedStep;
        bool seedCurrent = !_resumed && _committedStep == _startStep; // a rank built from the seed is at the committed state
        if (phase is TrainingPhase.Connect or TrainingPhase.Join)
        {
            // Failed again while re-forming: the plan stands; the newly failed ranks need restoring as well.
            if (!snapshotCurrent && !seedCurrent) return FailUnrestorable();
            foreach (int rank in failed) _restore[rank] |= snapshotCurrent;
            return true;
        }
        bool changed = phase == TrainingPhase.Optimizer || (phase == TrainingPhase.Snapshot && _round.Step > _committedStep);
        if (!changed && (snapshotCurrent || seedCurrent))
        {
            foreach (int rank in failed) _restore[rank] = snapshotCurrent;
            _afterJoin = _current; // the survivors are at the committed state: run the same action again
            return true;
        }
        if (_snapshotStep < 0) return FailUnrestorable();
        // Some ranks have moved past the snapshot: everyone goes back to it and the steps since are replayed.
        Array.Fill(_restore, true);
        _committedStep = _snapshotStep;
        _losses.RemoveRange((int)(_snapshotStep - _startStep), _losses.Count - (int)(_snapshotStep - _startStep));
        _afterJoin = NextAction;
        return true;
    }

    private bool FailUnrestorable()
    {
        var last = _recoveries.Last;
        Fail($"Training stopped at step {last.Step}, {TrainingPhases.Name(last.Phase)} phase: rank {last.Rank} {last.Cause}, and there is no in-memory snapshot " +
             $"to restore it from (tpactors.training.snapshot-every = {_options.Settings.SnapshotEvery}). " +
             (LastCheckpoint is null ? "No checkpoint was written." : $"Resume from the last checkpoint, {LastCheckpoint}, which is intact."));
        return false;
    }

    private string? LastCheckpoint => _written.Count == 0 ? null : _written[^1];

    private void Connect() => Dispatch(TrainingPhase.Connect, _committedStep, _ => null);

    private IActorRef Spawn(int rank)
    {
        int incarnation = _incarnations[rank]++;
        var actor = Context.ActorOf(RankActor.Props(rank, _threadsPerRank, _rankSettings, _faults), incarnation == 0 ? $"rank-{rank}" : $"rank-{rank}-{incarnation}");
        Context.Watch(actor);
        _unanswered.Replaced(rank);
        return actor;
    }

    // A late answer of an abandoned round: keep a snapshot buffer as the rank's spare, drop anything else.
    private void Reclaim(int rank, object? result)
    {
        if (result is not ShardState state || _snapshot.Contains(state)) return;
        if (_spare[rank] is null) _spare[rank] = state;
        else state.Dispose();
    }

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
            Fail($"Training stopped at {_round}: {e.Message}", e);
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

    private readonly record struct Failure(int Rank, FailureKind Kind, string Cause, PhaseRound In);
}
