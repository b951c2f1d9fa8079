using TpActors.Layers.Tensors;

namespace TpActors.Layers.Parallel;

/// <summary>
/// Sequence parallelism's <c>f</c>, in front of a column-parallel layer (the QKV projection, fc1, the LM head): it takes
/// the place of <see cref="CopyToRegion"/>. Forward: all-gather of the ranks' rows [rows_r, cols] → the whole batch
/// [tokens, cols]. Backward: reduce-scatter: each rank's input gradient covers only its output columns, and the rows this
/// rank holds receive the sum (half an all-reduce's traffic, and no rank keeps the rows it does not hold).
/// </summary>
public static class GatherFromSequenceRegion
{
    /// <summary>A new tensor [tokens, cols] of every rank's rows.</summary>
    public static Tensor Forward(ParallelContext context, Tensor input, SequenceSplit split) => split.Gather(context, input);

    /// <summary>A new tensor [rows_r, cols]: this rank's rows of the sum over ranks of <paramref name="gradient"/>.</summary>
    public static Tensor Backward(ParallelContext context, Tensor gradient, SequenceSplit split) => split.ReduceScatter(context, gradient);
}
