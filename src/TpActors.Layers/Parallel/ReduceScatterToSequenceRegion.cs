using TpActors.Layers.Tensors;

namespace TpActors.Layers.Parallel;

/// <summary>
/// Sequence parallelism's <c>g</c>, after a row-parallel layer (the attention's output projection, fc2) or the vocab-parallel
/// embedding: it takes the place of <see cref="ReduceFromRegion"/>. Forward: reduce-scatter of the partial products
/// [tokens, cols] → this rank's rows of their sum [rows_r, cols]. Backward: all-gather of the rows' gradients → [tokens, cols].
/// </summary>
public static class ReduceScatterToSequenceRegion
{
    /// <summary>A new tensor [rows_r, cols]: this rank's rows of the sum over ranks of <paramref name="partial"/>.</summary>
    public static Tensor Forward(ParallelContext context, Tensor partial, SequenceSplit split) => split.ReduceScatter(context, partial);

    /// <summary>A new tensor [tokens, cols] of every rank's rows of the gradient.</summary>
    public static Tensor Backward(ParallelContext context, Tensor gradient, SequenceSplit split) => split.Gather(context, gradient);
}
