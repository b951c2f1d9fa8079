using TpActors.Layers.Parallel;
using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;
using TpActors.Layers.Models;
using TpActors.Layers.Data;
using TpActors.Layers.Optimizers;
using TpActors.Layers.Checkpoints;
using TpActors.Layers.Ranks;

namespace TpActors.Layers.Training;

/// <summary>
/// What a rank holds for training, and the rank's side of each step phase: its shards of the model, the optimizer state
/// sharded alike, the current batch, the output and its gradient. Lives inside the rank actor and dies with it; the
/// supervisor's snapshots and the checkpoints are where it is restored from.
/// </summary>
internal sealed class RankTrainer : IDisposable
{
    private readonly ParallelContext _context;
    private BatchData? _batch;
    private Tensor? _output, _gradOutput;
    private ShardState? _updatedInto; // the snapshot the last optimizer step also wrote, until the snapshot phase hands it over

    private readonly IBatchSource _batches;
    private readonly ILoss _loss;

    public RankTrainer(ParallelContext context, TrainingSetup setup)
    {
        _context = context;
        _batches = setup.Model.Batches(setup.Task);
        _loss = setup.Model.Loss;
        Model = setup.Model.Build(context, setup.Seed);
        Optimizer = setup.Optimizer.Create(context.Backend, Model.Parameters, setup.Model.Decays);
    }

    public IModel Model { get; }

    public Optimizer Optimizer { get; }

    /// <summary>Every tensor of the training state, as views of the live tensors: each parameter, then its optimizer slots.</summary>
    public IEnumerable<ShardTensor> Live()
    {
        for (int i = 0; i < Optimizer.Parameters.Count; i++)
        {
            var p = Optimizer.Parameters[i];
            yield return new ShardTensor(p.Name, p.Axis, p.Value);
            for (int s = 0; s < Optimizer.SlotNames.Count; s++)
                yield return new ShardTensor($"{p.Name}.{Optimizer.SlotNames[s]}", p.Axis, Optimizer.Slot(i, s));
        }
    }

    /// <summary>Draws step <paramref name="step"/>'s batch from the batch source and zeroes the gradients.</summary>
    public void SetBatch(long step)
    {
        Abandon();
        var (inputs, targets) = _batches.Batch(step);
        _batch = new BatchData(inputs, targets);
        Model.ZeroGradients();
    }

    public void Forward()
    {
        var batch = _batch ?? throw new InvalidOperationException($"Rank {_context.Rank}: forward before the batch phase.");
        _output?.Dispose();
        _output = Model.Forward(batch.Inputs);
    }

    public double Loss()
    {
        var output = _output ?? throw new InvalidOperationException($"Rank {_context.Rank}: loss before forward.");
        _gradOutput?.Dispose();
        _gradOutput = output.EmptyLike();
        return _loss.Compute(_context.Backend, output, _batch!.Targets, _gradOutput);
    }

    /// <summary>
    /// The mean loss of held-out batches 1 … <paramref name="batches"/>, forward only, each batch's loss summed in float64 in
    /// order; the weights, gradients and the step's batch are left as they were.
    /// </summary>
    public double Evaluate(int batches)
    {
        double sum = 0;
        for (int i = 1; i <= batches; i++)
        {
            var (inputs, targets) = _batches.ValidationBatch(i);
            using (inputs)
            using (targets)
            using (var output = Model.Forward(inputs))
            using (var gradient = output.EmptyLike())
                sum += _loss.Compute(_context.Backend, output, targets, gradient);
            Model.ReleaseSaved();
        }
        return sum / Math.Max(1, batches);
    }

    public void Backward()
    {
        var gradOutput = _gradOutput ?? throw new InvalidOperationException($"Rank {_context.Rank}: backward before the loss.");
        Model.Backward(gradOutput).Dispose(); // the inputs' gradient is not needed
    }

    /// <summary>
    /// Applies optimizer step <paramref name="step"/>. With <paramref name="snapshot"/> the updated state is also written into it
    /// (or into a new state when its layout does not fit) in the same pass, for <see cref="Capture"/> to hand over.
    /// </summary>
    public void Step(long step, ShardState? snapshot)
    {
        DropUpdatedSnapshot();
        if (Optimizer.Spec.GradientClip > 0) ClipGradients(Optimizer.Spec.GradientClip);
        if (snapshot is null)
        {
            Optimizer.Step(step);
            return;
        }
        var live = Live().ToList();
        var target = Fitting(live, snapshot, step);
        int perParameter = 1 + Optimizer.SlotNames.Count;
        var copies = Enumerable.Range(0, Optimizer.Parameters.Count)
            .Select(i => Enumerable.Range(0, perParameter).Select(k => target.Tensors[i * perParameter + k].Value).ToArray()).ToList();
        Optimizer.Step(step, copies);
        target.Step = step;
        _updatedInto = target;
    }

    /// <summary>
    /// Scales every gradient by min(1, <paramref name="maxNorm"/> / (‖g‖ + 1e-6)), ‖g‖ the norm of the whole model's gradient
    /// as PyTorch's clip_grad_norm_ takes it: each rank's sum of squares of its shards (a replicated parameter's counted on rank 0
    /// only, every rank holding the same), summed over the group in one all-reduce, so every rank scales by the same factor.
    /// </summary>
    private void ClipGradients(float maxNorm)
    {
        double local = 0;
        foreach (var p in Model.Parameters)
            if (p.Axis != ShardAxis.Replicated || _context.Rank == 0) local += _context.Backend.SumOfSquares(p.Gradient);
        using var total = Tensor.FromArray([(float)local], 1, 1);
        if (_context.Size > 1) _context.Group.AllReduce(total);
        float norm = MathF.Sqrt(total.ToArray()[0]);
        float scale = maxNorm / (norm + 1e-6f);
        if (scale >= 1) return;
        foreach (var p in Model.Parameters) _context.Backend.Scale(scale, p.Gradient);
    }

    /// <summary>
    /// The training state after <paramref name="step"/>: the snapshot the optimizer step already wrote, or else a copy made now
    /// into <paramref name="reuse"/> (when its layout fits) or a new state.
    /// </summary>
    public ShardState Capture(long step, ShardState? reuse)
    {
        if (_updatedInto is { } written && written.Step == step)
        {
            _updatedInto = null;
            reuse?.Dispose();
            return written;
        }
        DropUpdatedSnapshot();
        var live = Live().ToList();
        var target = Fitting(live, reuse, step);
        for (int i = 0; i < live.Count; i++) live[i].Value.CopyTo(target.Tensors[i].Value);
        target.Step = step;
        return target;
    }

    // `candidate` when its names and shapes are the live state's, else a new state of that layout (the candidate is disposed).
    private static ShardState Fitting(List<ShardTensor> live, ShardState? candidate, long step)
    {
        if (candidate is not null && candidate.SameLayout(live)) return candidate;
        candidate?.Dispose();
        return new ShardState(step, live.Select(t => new ShardTensor(t.Name, t.Axis, t.Value.EmptyLike())).ToList());
    }

    private void DropUpdatedSnapshot()
    {
        _updatedInto?.Dispose();
        _updatedInto = null;
    }

    /// <summary>Copies <paramref name="state"/> into the live tensors; refuses a state whose names or shapes differ.</summary>
    public void Restore(ShardState state)
    {
        var live = Live().ToList();
        if (!state.SameLayout(live))
        {
            var have = string.Join(", ", live.Select(t => $"{t.Name} {t.Value.ShapeText}"));
            var got = string.Join(", ", state.Tensors.Select(t => $"{t.Name} {t.Value.ShapeText}"));
            throw new ArgumentException($"Rank {_context.Rank} cannot restore a state of step {state.Step}: it holds {got}, but the rank's model has {have}.");
        }
        for (int i = 0; i < live.Count; i++) state.Tensors[i].Value.CopyTo(live[i].Value);
    }

    /// <summary>Writes this rank's checkpoint file; <paramref name="midway"/> runs halfway through the data.</summary>
    public ShardFileWritten WriteCheckpoint(CheckpointRequest request, Action? midway)
    {
        var live = Live().ToList();
        string name = CheckpointDirectory.RankFileName(_context.Rank, request.Tp);
        var digest = SafeTensorsFile.Write(Path.Combine(request.Directory, name), live.Select(t => (t.Name, t.Value)).ToList(), request.Metadata, midway);
        return new ShardFileWritten(name, digest, live.Select(t => (t.Name, t.Axis, t.Value.Shape)).ToList());
    }

    /// <summary>Drops the batch and everything computed from it (after an aborted step, or before a new one).</summary>
    public void Abandon()
    {
        DropUpdatedSnapshot();
        Model.ReleaseSaved();
        _output?.Dispose();
        _gradOutput?.Dispose();
        _output = _gradOutput = null;
        _batch?.Dispose();
        _batch = null;
    }

    public void Dispose()
    {
        Abandon();
        Optimizer.Dispose();
        Model.Dispose();
        _batches.Dispose();
    }
}
