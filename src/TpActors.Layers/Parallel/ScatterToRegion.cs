using TpActors.Layers.Tensors;

namespace TpActors.Layers.Parallel;

/// <summary>
/// Split along the last dimension. Forward: this rank's block of columns of the full input [rows, cols] → [rows, cols_r]
/// (a copy; no communication). Backward: all-gather of the ranks' gradient blocks along the last dimension → [rows, cols].
/// </summary>
public static class ScatterToRegion
{
    /// <summary>A new contiguous tensor holding this rank's column block of <paramref name="input"/>.</summary>
    public static Tensor Forward(ParallelContext context, Tensor input) => LastDimension.Split(context, input);

    /// <summary>A new tensor [rows, Σ cols_r] of every rank's <paramref name="gradient"/> block side by side.</summary>
    public static Tensor Backward(ParallelContext context, Tensor gradient, int fullCols) => LastDimension.Gather(context, gradient, fullCols);
}
