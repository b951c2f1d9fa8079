using TpActors.Layers.Sharding;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Models;

/// <summary>
/// A model on one rank, as its <see cref="ModelSpec"/> builds it: its shards of the parameters (what a snapshot or a
/// checkpoint saves, with their optimizer slots), forward and backward through them. Inputs and outputs are whole on every
/// rank.
/// </summary>
public interface IModel : IDisposable
{
    /// <summary>Every parameter shard, in model order (the order of the training state and of checkpoints).</summary>
    IReadOnlyList<ParameterShard> Parameters { get; }

    /// <summary>The output for <paramref name="input"/>; the caller keeps <paramref name="input"/> alive until <see cref="Backward"/>.</summary>
    Tensor Forward(Tensor input);

    /// <summary>The gradient of the input, from <paramref name="gradOutput"/>; parameter gradients accumulate.</summary>
    Tensor Backward(Tensor gradOutput);

    /// <summary>Sets every parameter gradient to zero.</summary>
    void ZeroGradients();

    /// <summary>Drops what forward kept for backward (after an abandoned step).</summary>
    void ReleaseSaved();
}
