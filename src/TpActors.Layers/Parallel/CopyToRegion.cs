using TpActors.Layers.Tensors;

namespace TpActors.Layers.Parallel;

/// <summary>
/// Megatron's <c>f</c>, in front of a column-parallel layer. Forward: identity (every rank already holds the full input).
/// Backward: all-reduce, in place: each rank's input gradient covers only its output columns, and the full gradient is their sum.
/// </summary>
public static class CopyToRegion
{
    /// <summary>Identity: returns <paramref name="input"/> itself.</summary>
    public static Tensor Forward(ParallelContext context, Tensor input) => input;

    /// <summary>Sums <paramref name="gradient"/> over the group, in place, and returns it.</summary>
    public static Tensor Backward(ParallelContext context, Tensor gradient)
    {
        if (context.Size == 1) return gradient;
        context.Group.AllReduce(gradient);
        return gradient;
    }
}
