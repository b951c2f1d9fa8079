using TpActors.Layers.Tensors;

namespace TpActors.Layers.Parallel;

/// <summary>
/// Megatron's <c>g</c>, after a row-parallel layer: the conjugate of <see cref="CopyToRegion"/>. Forward: all-reduce, in place
/// (each rank's product covers only its input rows; the output is their sum). Backward: identity (every rank needs the full gradient).
/// </summary>
public static class ReduceFromRegion
{
    /// <summary>Sums <paramref name="partial"/> over the group, in place, and returns it.</summary>
    public static Tensor Forward(ParallelContext context, Tensor partial)
    {
        if (context.Size == 1) return partial;
        context.Group.AllReduce(partial);
        return partial;
    }

    /// <summary>Identity: returns <paramref name="gradient"/> itself.</summary>
    public static Tensor Backward(ParallelContext context, Tensor gradient) => gradient;
}
