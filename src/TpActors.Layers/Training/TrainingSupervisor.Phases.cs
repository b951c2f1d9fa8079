using Akka.Actor;
using TpActors.Layers.Collectives;
using TpActors.Layers.Sharding;
using TpActors.Layers.Optimizers;
using TpActors.Layers.Checkpoints;
using TpActors.Layers.Ranks;

namespace TpActors.Layers.Training;

// The phase protocol: one round of RunPhase out to every rank, every answer back, then the next phase; and the ranks it runs on.
public sealed partial class TrainingSupervisor
{
    private void Dispatch(TrainingPhase phase, long step, Func<int, PhaseRequest> request)
    {
        var round = new PhaseRound(_attempt, step, phase);
        _rounds.Begin(round);
        for (int r = 0; r < _ranks.Length; r++)
        {
            // A rank on a host shares no fault plan with this process: its faults travel with the phase.
            var fault = _hosts is null ? null : _faults.Take(r, step, phase);
            _ranks[r].Tell(new RunPhase(round, request(r), fault), Self);
        }
        Timers.StartSingleTimer(PhaseTimer, new PhaseTimedOut(round), _options.Settings.PhaseTimeout);
    }

    // A state from a rank in another process arrives on the bulk lane; the answer counts once it has.
    private void OnTicket(PhaseDone done, BulkLaneTicket ticket) =>
        ticket.OpenAsync(_transport, Context.System).PipeTo(Self,
            success: state => done with { Result = new StateHandedOver((ShardState)state) },
            failure: e => new PhaseFailed(done.Round, done.Rank, $"its state ({ticket.Bytes} bytes) did not arrive on the bulk lane: {e.Message}"));

    private void OnDone(PhaseDone done)
    {
        var outcome = _rounds.Done(done.Rank, done.Round, done.Result);
        if (outcome is PhaseRounds.Outcome.Counted or PhaseRounds.Outcome.Complete)
            Publish(new PhaseTimed(Run, done.Rank, _hosts?.Node(done.Rank).ToString(), done.Round, done.StartedUtcTicks, done.ElapsedTicks, done.Profile ?? PhaseProfile.Empty));
        switch (outcome)
        {
            case PhaseRounds.Outcome.Stale:
                Reclaim(done.Rank, done.Result);
                break;
            case PhaseRounds.Outcome.Unexpected:
                Reclaim(done.Rank, done.Result);
                Fail($"Training stopped at {done.Round}: rank {done.Rank} answered with a {done.Result.GetType().Name}, which does not answer that phase. {CheckpointSentence}");
                break;
            case PhaseRounds.Outcome.Complete:
                Timers.Cancel(PhaseTimer);
                Completed(done.Round);
                break;
        }
    }

    private void Completed(PhaseRound round)
    {
        long step = round.Step;
        switch (round.Phase)
        {
            case TrainingPhase.Connect:
                _endpoints = _rounds.Results<EndpointReported>().Select(c => c.Endpoint).ToArray();
                var endpoints = _endpoints.Cast<CollectiveEndpoint>().ToList();
                _hosts?.NameBuddies();
                Dispatch(TrainingPhase.Join, step, r => new JoinTraining(Group, endpoints, _setup, Restore(r, endpoints[r]), _transport.Lane?.Address, _hosts?.Buddy(r) ?? -1));
                break;
            case TrainingPhase.Join:
                _snapshots.Joined(_hosts is null ? null : _hosts.Node);
                if (_recoveries.Resolve(_clock.Elapsed) is { Count: > 0 } resolved) Publish(new RecoveryResolved(Run, resolved));
                _afterJoin();
                break;
            case TrainingPhase.Batch:
                Dispatch(TrainingPhase.Forward, step, _ => ForwardRequest.Instance);
                break;
            case TrainingPhase.Forward:
                Dispatch(TrainingPhase.Loss, step, _ => LossRequest.Instance);
                break;
            case TrainingPhase.Loss:
                var losses = _rounds.Results<LossComputed>();
                _stepLoss = losses[0].Loss;
                System.Diagnostics.Debug.Assert(losses.All(l => BitConverter.DoubleToInt64Bits(l.Loss) == BitConverter.DoubleToInt64Bits(_stepLoss)),
                    "every rank computes the loss from the same replicated output, bit for bit (NaN included)");
                if (!double.IsFinite(_stepLoss))
                {
                    // Diverged: no retry or replay changes a pure function of the state, and an update would spread the NaN.
                    Fail($"Training stopped at step {step}, loss phase: the loss is {_stepLoss.ToString(System.Globalization.CultureInfo.InvariantCulture)}; " +
                         $"the run diverged (try a smaller --lr than {_options.Optimizer.LearningRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}). " +
                         $"Nothing after step {_committedStep} was applied. {CheckpointSentence}");
                    return;
                }
                Dispatch(TrainingPhase.Backward, step, _ => BackwardRequest.Instance);
                break;
            case TrainingPhase.Backward:
                // When a snapshot is due, the ranks write it in the same pass as the update; the snapshot phase hands it over.
                Dispatch(TrainingPhase.Optimizer, step, r => new OptimizerRequest(SnapshotDue(step) ? HandOverSpare(r) : null));
                break;
            case TrainingPhase.Optimizer:
                if (SnapshotDue(step)) Dispatch(TrainingPhase.Snapshot, step, _ => new SnapshotRequest(new SnapshotInto(null)));
                else Commit(step);
                break;
            case TrainingPhase.Snapshot:
                // A rank on a host keeps its snapshot there and copies it to its buddy's host while the next step trains:
                // the run can restore only from a step whose copies every such rank has confirmed.
                _snapshots.Taken(step, _rounds.Result, Keepers);
                if (step > _committedStep) Commit(step);
                else NextAction(); // the snapshot of the starting state
                break;
            case TrainingPhase.Checkpoint:
                if (CommitCheckpoint(step)) NextAction();
                break;
            case TrainingPhase.Gather:
                Finish();
                break;
            case TrainingPhase.Evaluate:
                Evaluated(step, _rounds.Results<LossComputed>()[0].Loss);
                break;
        }
    }

    // What rank r restores from at the join (null: it keeps its state): the snapshot held here (sent by bulk-lane ticket to a
    // rank in another process), or the one kept on a host.
    private RestoreSource? Restore(int rank, CollectiveEndpoint endpoint) => _snapshots.SourceFor(rank, _committedStep, _hosts?.Node(rank),
        state => BulkLaneTicket.Seal(state, endpoint.Lane, _transport, Context.System) is BulkLaneTicket ticket ? new RestoreFromBulkLane(ticket) : new RestoreState(state),
        IsLostHost);

    private void Connect() => Dispatch(TrainingPhase.Connect, _committedStep, _ => ConnectRequest.Instance);

    private IActorRef Spawn(int rank)
    {
        int incarnation = _incarnations[rank]++;
        var actor = Context.ActorOf(RankDeployment.Place(rank, _ranks.Length, _rankSettings, _hosts?.Slots,
            threads => TrainingRankActor.Props(rank, threads, _rankSettings, _hosts is null ? _faults : null)), incarnation == 0 ? $"rank-{rank}" : $"rank-{rank}-{incarnation}");
        Context.Watch(actor);
        _rounds.Replaced(rank);
        return actor;
    }
}
