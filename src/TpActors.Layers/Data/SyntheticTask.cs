using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Data;

/// <summary>
/// A regression task with a known answer: inputs X uniform in [−1, 1) and targets <c>T = X + tanh(X·A)·C</c> from a fixed
/// random teacher (A [hidden, width], C [width, hidden]). The batch of step s is a pure function of (seed, s): rows
/// (s−1)·batch … of one endless counter-based stream, so a replayed or resumed step sees exactly the data it saw before.
/// The teacher's GEMMs are part of the task's definition: they run on the managed kernel, one thread, so every machine and
/// every rank backend trains on the same bits.
/// </summary>
public sealed class SyntheticTask : IBatchSource
{
    private readonly Tensor _teacherIn;  // A [hidden, width]
    private readonly Tensor _teacherOut; // C [width, hidden]
    private readonly IBackend _backend;

    /// <summary>The task for a model <paramref name="hidden"/> wide.</summary>
    public SyntheticTask(TaskSpec spec, int hidden)
    {
        spec.Validate();
        Spec = spec;
        Hidden = hidden;
        _backend = CpuBackend.Create(BackendKind.Managed, 1);
        _teacherIn = Tensor.Uninitialized(hidden, spec.TeacherWidth);
        _teacherOut = Tensor.Uninitialized(spec.TeacherWidth, hidden);
        MasterWeights.FillUniform(_teacherIn, spec.Seed, "teacher.in", 0, 0, spec.TeacherWidth, MasterWeights.XavierBound(hidden, spec.TeacherWidth));
        MasterWeights.FillUniform(_teacherOut, spec.Seed, "teacher.out", 0, 0, hidden, MasterWeights.XavierBound(spec.TeacherWidth, hidden));
    }

    /// <summary>The task's sizes and seed.</summary>
    public TaskSpec Spec { get; }

    /// <summary>Features of an input row and of a target row.</summary>
    public int Hidden { get; }

    /// <summary>The inputs and targets of step <paramref name="step"/> (from 1), each [batch, hidden]; the caller owns both.</summary>
    public (Tensor Inputs, Tensor Targets) Batch(long step)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Steps count from 1.");
        return Draw("data.x", step);
    }

    /// <summary>Held-out batch <paramref name="index"/> (from 1): rows of another stream of inputs, through the same teacher.</summary>
    public (Tensor Inputs, Tensor Targets) ValidationBatch(int index)
    {
        if (index < 1) throw new ArgumentOutOfRangeException(nameof(index), index, "Validation batches count from 1.");
        return Draw("data.x.validation", index);
    }

    // Rows (n−1)·batch … of the input stream and their targets.
    private (Tensor Inputs, Tensor Targets) Draw(string stream, long n)
    {
        var inputs = Tensor.Uninitialized(Spec.Batch, Hidden);
        // Checked, so a step past 2^63 / batch fails instead of wrapping.
        MasterWeights.FillUniform(inputs, Spec.Seed, stream, checked((n - 1) * Spec.Batch), 0, Hidden, 1f);
        using var features = Tensor.Uninitialized(Spec.Batch, Spec.TeacherWidth);
        _backend.Gemm(inputs, false, _teacherIn, false, features);
        _backend.Tanh(features, features);
        var targets = inputs.Clone();
        _backend.Gemm(features, false, _teacherOut, false, targets, beta: 1); // T = X + tanh(X·A)·C
        return (inputs, targets);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _teacherIn.Dispose();
        _teacherOut.Dispose();
    }
}
