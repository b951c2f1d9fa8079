using TpActors.Layers.Tensors;

namespace TpActors.Layers.Parallel;

/// <summary>
/// The conjugate of <see cref="ScatterToRegion"/>. Forward: all-gather of the ranks' blocks [rows, cols_r] along the last
/// dimension → [rows, cols]. Backward: this rank's block of columns of the full gradient (a copy; no communication).
/// </summary>
public static class GatherFromRegion
{
    /// <summary>A new tensor [rows, <paramref name="fullCols"/>] of every rank's <paramref name="input"/> block side by side.</summary>
    public static Tensor Forward(ParallelContext context, Tensor input, int fullCols) => LastDimension.Gather(context, input, fullCols);

    /// <summary>A new contiguous tensor holding this rank's column block of <paramref name="gradient"/>.</summary>
    public static Tensor Backward(ParallelContext context, Tensor gradient) => LastDimension.Split(context, gradient);
}
