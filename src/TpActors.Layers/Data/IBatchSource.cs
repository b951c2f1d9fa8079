using TpActors.Layers.Tensors;

namespace TpActors.Layers.Data;

/// <summary>
/// Where a rank draws each step's batch: a pure function of the step, so every rank of a group, a replayed step and a
/// resumed run see the same data (as every tensor-parallel rank of a Megatron data loader does).
/// </summary>
public interface IBatchSource : IDisposable
{
    /// <summary>The inputs and targets of step <paramref name="step"/> (from 1); the caller owns both.</summary>
    (Tensor Inputs, Tensor Targets) Batch(long step);

    /// <summary>
    /// Held-out batch <paramref name="index"/> (from 1), drawn from data no training batch sees, the same every time it is
    /// asked for: what the validation loss is measured on. The caller owns both.
    /// </summary>
    (Tensor Inputs, Tensor Targets) ValidationBatch(int index);
}
