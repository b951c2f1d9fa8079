using System.Diagnostics;
using System.Numerics.Tensors;

namespace TpActors.Layers.Tensors;

// Attention's kernels: a GEMM per block of a grid (each head of each sequence read in place) and the row softmax with its
// causal mask. A masked position is never read: its probability is written 0 and its gradient follows.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void GemmBatched(BlockGrid a, bool transposeA, BlockGrid b, bool transposeB, BlockGrid c, float alpha = 1, float beta = 0)
    {
        int m = transposeA ? a.BlockCols : a.BlockRows, k = transposeA ? a.BlockRows : a.BlockCols;
        int kb = transposeB ? b.BlockCols : b.BlockRows, n = transposeB ? b.BlockRows : b.BlockCols;
        if (!a.Tiles || !b.Tiles || !c.Tiles || a.Count != b.Count || a.Count != c.Count || k != kb || c.BlockRows != m || c.BlockCols != n)
        {
            throw new ArgumentException(
                $"Cannot multiply {a.ShapeText}{(transposeA ? "ᵀ" : "")} by {b.ShapeText}{(transposeB ? "ᵀ" : "")} into {c.ShapeText}: " +
                (!a.Tiles || !b.Tiles || !c.Tiles ? "the blocks must tile their matrices." :
                 a.Count != b.Count || a.Count != c.Count ? $"the grids hold {a.Count}, {b.Count} and {c.Count} blocks." :
                 k != kb ? $"inner sizes {k} and {kb} differ." : $"each product is [{m}, {n}]."));
        }
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < a.Count; i++)
            _gemm.Gemm(transposeA, transposeB, m, n, k, alpha, BlockExtent(a, i), a.Matrix.Stride, BlockExtent(b, i), b.Matrix.Stride, beta, BlockExtent(c, i), c.Matrix.Stride);
        Gemms.Add(m, n, k, a.Count, start);
    }

    /// <inheritdoc/>
    public void Softmax(Tensor x, Tensor y, float scale = 1, int causalQueries = 0)
    {
        Tensor.RequireSameShape(x, y, "take the softmax of");
        RequireSoftmaxScale(scale);
        if (causalQueries < 0 || causalQueries > x.Cols || (causalQueries > 0 && x.Rows % causalQueries != 0))
            throw new ArgumentException($"Cannot mask {x.ShapeText} causally in blocks of {causalQueries} queries: the rows must be whole blocks and the keys at least as many.");
        for (int i = 0; i < x.Rows; i++)
        {
            int visible = causalQueries == 0 ? x.Cols : x.Cols - causalQueries + i % causalQueries + 1;
            Debug.Assert(visible >= 1, "every query sees at least its own key");
            ReadOnlySpan<float> xi = x.Row(i)[..visible];
            Span<float> yi = y.Row(i), seen = yi[..visible];
            // scale > 0, so max(scale·x) = scale·max(x): the largest exponent is 0 and no term overflows.
            float shift = scale * TensorPrimitives.Max(xi);
            TensorPrimitives.Multiply(xi, scale, seen);
            TensorPrimitives.Subtract(seen, shift, seen);
            TensorPrimitives.Exp(seen, seen);
            TensorPrimitives.Multiply(seen, 1f / TensorPrimitives.Sum(seen), seen);
            yi[visible..].Clear();
        }
    }

    /// <inheritdoc/>
    public void SoftmaxBackward(Tensor y, Tensor dy, Tensor dx, float scale = 1)
    {
        Tensor.RequireSameShape(y, dy, "differentiate the softmax");
        Tensor.RequireSameShape(y, dx, "differentiate the softmax");
        RequireSoftmaxScale(scale);
        for (int i = 0; i < y.Rows; i++)
        {
            ReadOnlySpan<float> yi = y.Row(i);
            Span<float> dxi = dx.Row(i);
            float dot = TensorPrimitives.Dot(yi, dy.Row(i));
            // dx = scale·y·(dy − dot), written in place of dy when dx is dy.
            TensorPrimitives.Subtract(dy.Row(i), dot, dxi);
            TensorPrimitives.Multiply(dxi, yi, dxi);
            if (scale != 1) TensorPrimitives.Multiply(dxi, scale, dxi);
        }
    }

    private static void RequireSoftmaxScale(float scale)
    {
        if (!(scale > 0) || !float.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), $"A softmax's scale must be positive and finite, not {scale}.");
    }

    // Block i of a grid as BLAS reads it: from its first element to its last, with the matrix's row stride.
    private static Span<float> BlockExtent(BlockGrid grid, int index)
    {
        var (row, col) = grid.Origin(index);
        int stride = grid.Matrix.Stride;
        return grid.Matrix.Extent.Slice(row * stride + col, (grid.BlockRows - 1) * stride + grid.BlockCols);
    }
}
