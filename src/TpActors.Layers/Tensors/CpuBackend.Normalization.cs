using System.Numerics.Tensors;

namespace TpActors.Layers.Tensors;

// LayerNorm, forward and backward, row by row. The statistics are two passes over the row (the mean, then the variance
// around it), never E[x²] − E[x]², which loses every digit when the mean is large beside the spread.
public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void LayerNorm(Tensor x, Tensor gamma, Tensor beta, float epsilon, Tensor y, Tensor mean, Tensor rstd)
    {
        Tensor.RequireSameShape(x, y, "normalize");
        RequireVector(gamma, x.Cols, "LayerNorm's weight", x);
        RequireVector(beta, x.Cols, "LayerNorm's bias", x);
        RequireVector(mean, x.Rows, "LayerNorm's means", x);
        RequireVector(rstd, x.Rows, "LayerNorm's reciprocal deviations", x);
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), $"LayerNorm's epsilon must be positive, not {epsilon}.");
        ReadOnlySpan<float> g = gamma.Row(0), b = beta.Row(0);
        Span<float> means = mean.Row(0), rstds = rstd.Row(0);
        float n = x.Cols;
        for (int i = 0; i < x.Rows; i++)
        {
            ReadOnlySpan<float> xi = x.Row(i);
            Span<float> yi = y.Row(i);
            float mu = TensorPrimitives.Sum(xi) / n;
            TensorPrimitives.Subtract(xi, mu, yi);                                   // y = x − μ
            float r = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(yi) / n + epsilon);
            TensorPrimitives.Multiply(yi, r, yi);                                    // y = x̂
            TensorPrimitives.FusedMultiplyAdd(yi, g, b, yi);                         // y = x̂·γ + β
            means[i] = mu;
            rstds[i] = r;
        }
    }

    /// <inheritdoc/>
    public void LayerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor dy, Tensor dx, Tensor dGamma, Tensor dBeta)
    {
        Tensor.RequireSameShape(x, dy, "differentiate LayerNorm");
        Tensor.RequireSameShape(x, dx, "differentiate LayerNorm");
        RequireVector(gamma, x.Cols, "LayerNorm's weight", x);
        RequireVector(dGamma, x.Cols, "LayerNorm's weight gradient", x);
        RequireVector(dBeta, x.Cols, "LayerNorm's bias gradient", x);
        RequireVector(mean, x.Rows, "LayerNorm's means", x);
        RequireVector(rstd, x.Rows, "LayerNorm's reciprocal deviations", x);
        ReadOnlySpan<float> g = gamma.Row(0), means = mean.Row(0), rstds = rstd.Row(0);
        Span<float> dg = dGamma.Row(0), db = dBeta.Row(0);
        dg.Clear();
        db.Clear();
        using var normalized = Tensor.UninitializedVector(x.Cols);
        using var scaled = Tensor.UninitializedVector(x.Cols);
        Span<float> xhat = normalized.Row(0), gdy = scaled.Row(0);
        float n = x.Cols;
        for (int i = 0; i < x.Rows; i++)
        {
            ReadOnlySpan<float> dyi = dy.Row(i);
            TensorPrimitives.Subtract(x.Row(i), means[i], xhat);
            TensorPrimitives.Multiply(xhat, rstds[i], xhat);                         // x̂
            TensorPrimitives.FusedMultiplyAdd(dyi, xhat, dg, dg);                    // dγ += dy·x̂
            TensorPrimitives.Add(db, dyi, db);                                       // dβ += dy
            TensorPrimitives.Multiply(dyi, g, gdy);                                  // g = dy·γ
            float meanG = TensorPrimitives.Sum(gdy) / n, meanGx = TensorPrimitives.Dot(gdy, xhat) / n;
            Span<float> dxi = dx.Row(i);
            TensorPrimitives.Multiply(xhat, -meanGx, dxi);                           // dx = ρ·(g − mean(g) − x̂·mean(g·x̂))
            TensorPrimitives.Add(dxi, gdy, dxi);
            TensorPrimitives.Subtract(dxi, meanG, dxi);
            TensorPrimitives.Multiply(dxi, rstds[i], dxi);
        }
    }

    private static void RequireVector(Tensor vector, int length, string what, Tensor of)
    {
        if (vector.Rank != 1 || vector.Cols != length)
            throw new ArgumentException($"Cannot use {what} {vector.ShapeText} with {of.ShapeText}: it needs [{length}].");
    }
}
