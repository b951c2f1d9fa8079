using TpActors.Layers.Sharding;
using TpActors.Layers.Tensors;
using TpActors.Layers.Optimizers;
using TpActors.Layers.Ranks;

namespace TpActors.Layers.Training;

// The step loop: batch → forward → loss → backward → optimizer → commit, the checkpoints it writes, and the final gather.
public sealed partial class TrainingSupervisor
{
    private void FirstAction()
    {
        if (_options.Settings.SnapshotEvery > 0 && _snapshots.Step != _committedStep) Begin(InitialSnapshot);
        else NextAction();
    }

    private void InitialSnapshot() => Dispatch(TrainingPhase.Snapshot, _committedStep, r => new SnapshotRequest(HandOverSpare(r)));

    private void NextAction()
    {
        if (_committedStep < _options.Steps && !_stopRequested && MoveDrainingRanks()) return;
        // A fresh run asked for no steps saves where it stands: --steps 0 --checkpoint-dir D writes the initial weights as step 0.
        if (_committedStep == 0 && _options.Steps == 0 && !_resumed && _checkpoints is not null && _written.Count == 0) Begin(() => WriteCheckpoint(0));
        else if (_committedStep >= _options.Steps || _stopRequested) Begin(Gather);
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

    // Every rank draws the step's batch itself, from (seed, step).
    private void StartStep(long step) => Dispatch(TrainingPhase.Batch, step, _ => BatchRequest.Instance);

    private bool SnapshotDue(long step) => _options.Settings.SnapshotEvery > 0 && step % _options.Settings.SnapshotEvery == 0;

    // The spare snapshot's memory is lent to a rank of this process to write the next snapshot into; a rank in another
    // process writes into its own and hands the bytes back.
    private SnapshotInto HandOverSpare(int rank)
    {
        if (BulkLaneTicket.IsRemote(_endpoints[rank]?.Lane, _transport)) return new SnapshotInto(null);
        return new SnapshotInto(_snapshots.TakeSpare(rank));
    }

    private void Commit(long step)
    {
        _committedStep = step;
        // A replayed step's loss is bit for bit the one it had before the failure: it takes that step's place.
        int index = (int)(step - _startStep - 1);
        if (index < _losses.Count) _losses[index] = _stepLoss;
        else _losses.Add(_stepLoss);
        Publish(new StepCommitted(Run, new TrainingProgress(step, _options.Steps, _startStep, _stepLoss, _clock.Elapsed, _recoveries.All.Count)));
        if (_options.EvaluationDue(step) && !_stopRequested) Begin(() => Evaluate(step));
        else AfterEvaluation(step);
    }

    // The held-out batches' loss after step `step`, on every rank at once (forward only).
    private void Evaluate(long step) => Dispatch(TrainingPhase.Evaluate, step, _ => new EvaluateRequest(_options.EvalBatches));

    private void Evaluated(long step, double loss)
    {
        _validation[step] = loss;
        Publish(new StepEvaluated(Run, step, loss));
        AfterEvaluation(step);
    }

    private void AfterEvaluation(long step)
    {
        bool last = step == _options.Steps || _stopRequested; // a stopped run is saved where it stopped, as at its last step
        if (_checkpoints is not null && (last || (_options.CheckpointEvery > 0 && step % _options.CheckpointEvery == 0)))
            Begin(() => WriteCheckpoint(step));
        else NextAction();
    }

    private void Gather() => Dispatch(TrainingPhase.Gather, _committedStep, _ => GatherRequest.Instance);

    private void Finish()
    {
        var states = _rounds.Results<StateHandedOver>().Select(h => h.State).ToList();
        try
        {
            var full = states[0].Tensors.Select(t => (t.Name, Value: ShardAssembly.Assemble(states.Select(s => s[t.Name].Value).ToList(), t.Axis))).ToList();
            string digest = WeightsDigest.Of(full.Where(t => !_options.Optimizer.IsSlot(t.Name)));
            IReadOnlyDictionary<string, Tensor>? kept = null;
            if (_options.KeepFinalState) kept = full.ToDictionary(t => t.Name, t => t.Value);
            else foreach (var (_, value) in full) value.Dispose();
            var result = new TrainingResult(_startStep, _committedStep, [.. _losses.Take((int)(_committedStep - _startStep))], [.. _recoveries.All], digest, _clock.Elapsed, _options.Ranks.BackendDescription(_ranks.Length), [.. _written], kept)
            {
                Stopped = _committedStep < _options.Steps,
                Validation = [.. _validation.Where(v => v.Key <= _committedStep).Select(v => new ValidationLoss(v.Key, v.Value))],
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
}
