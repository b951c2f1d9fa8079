using TpActors.Layers.Sharding;
using TpActors.Layers.Optimizers;
using TpActors.Layers.Checkpoints;

namespace TpActors.Layers.Training;

// Checkpoints on disk and the buffers of in-memory snapshots.
public sealed partial class TrainingSupervisor
{
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
        var files = _rounds.Results<ShardFileWritten>();
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


    // The newest intact checkpoint on disk: the last this run wrote, else the step directory it resumed from.
    private string? LastCheckpoint => _written.Count > 0 ? _written[^1] : _resumed ? _options.ResumeFrom : null;

    // A late answer of an abandoned round: keep a snapshot buffer as the rank's spare, drop anything else.
    private void Reclaim(int rank, PhaseResult result)
    {
        if (result is StateHandedOver { State: var state }) _snapshots.Reclaim(rank, state);
    }
}
