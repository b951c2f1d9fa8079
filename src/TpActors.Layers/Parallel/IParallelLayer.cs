using TpActors.Layers.Sharding;

namespace TpActors.Layers.Parallel;

/// <summary>
/// A layer's part on one rank. Forward keeps what backward needs; backward adds to the parameter gradients and returns the
/// gradient of the input. Every rank of the group must run the same calls in the same order (they meet in collectives).
/// The input given to <see cref="Forward"/> must stay untouched until the matching <see cref="Backward"/>; the returned
/// tensors belong to the caller.
/// </summary>
public interface IParallelLayer : IDisposable
{
    /// <summary>The layer's output for <paramref name="input"/>.</summary>
    Tensors.Tensor Forward(Tensors.Tensor input);

    /// <summary>The gradient of the input, given the gradient of the output; parameter gradients accumulate.</summary>
    Tensors.Tensor Backward(Tensors.Tensor gradOutput);

    /// <summary>
    /// Bytes of the tensors this layer made in its last forward and keeps for backward (0 after backward). The input it keeps
    /// is the caller's and is not counted, so a model's figure is the sum of its layers' with no tensor counted twice.
    /// </summary>
    long SavedBytes { get; }

    /// <summary>This rank's shards of the parameters and their gradients.</summary>
    IReadOnlyList<ParameterShard> Parameters { get; }

    /// <summary>Sets every gradient to zero.</summary>
    void ZeroGradients();
}
