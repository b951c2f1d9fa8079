using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;

namespace TpActors.Layers.Tensors;

/// <summary>
/// The CPU backend: GEMM by OpenBLAS <c>cblas_sgemm</c> when <c>libopenblas.so.0</c> loads (see <see cref="BackendKind"/>),
/// by a managed SIMD kernel otherwise; the element-wise operations by System.Numerics.Tensors.
/// </summary>
public sealed partial class CpuBackend : IBackend
{
    private const float SqrtTwoOverPi = 0.7978845608028654f;
    private const float GeluCubic = 0.044715f;
    private const float InvSqrtTwo = 0.70710678118654752f;
    private const float InvSqrtTwoPi = 0.3989422804014327f;
    private const float ErfP = 0.3275911f, ErfA1 = 0.254829592f, ErfA2 = -0.284496736f, ErfA3 = 1.421413741f, ErfA4 = -1.453152027f, ErfA5 = 1.061405429f;

    private readonly IGemmKernel _gemm;

    private CpuBackend(IGemmKernel gemm, string? fallbackReason)
    {
        _gemm = gemm;
        FallbackReason = fallbackReason;
    }

    /// <summary>A backend of the given kind whose GEMMs use <paramref name="threads"/> threads.</summary>
    /// <exception cref="InvalidOperationException">OpenBLAS was asked for and does not load.</exception>
    public static CpuBackend Create(BackendKind kind, int threads)
    {
        if (kind == BackendKind.Managed) return new CpuBackend(new ManagedGemm(threads), null);
        var library = OpenBlasLibrary.Instance;
        if (library is not null) return new CpuBackend(new OpenBlasGemm(library, threads), null);
        if (kind == BackendKind.OpenBlas) throw new InvalidOperationException($"The OpenBLAS backend was asked for, but {OpenBlasLibrary.UnavailableReason}.");
        return new CpuBackend(new ManagedGemm(threads), OpenBlasLibrary.UnavailableReason);
    }

    /// <summary>True when OpenBLAS loads on this machine.</summary>
    public static bool OpenBlasAvailable => OpenBlasLibrary.Instance is not null;

    /// <summary>Why OpenBLAS is not used although <see cref="BackendKind.Auto"/> was asked for; null when it is, or when managed was asked for.</summary>
    public string? FallbackReason { get; }

    /// <inheritdoc/>
    public string Name => _gemm.Name;

    /// <inheritdoc/>
    public int Threads => _gemm.Threads;

    /// <summary>The backend and its threads in words, e.g. "openblas (SkylakeX), 1 BLAS thread".</summary>
    public string Description => $"{Name}, {Threads} {(_gemm is OpenBlasGemm ? "BLAS " : "")}thread{(Threads == 1 ? "" : "s")}"
        + (FallbackReason is null ? "" : $" (OpenBLAS not used: {FallbackReason})");

    /// <inheritdoc/>
    public GemmTally Gemms { get; } = new();

    /// <inheritdoc/>
    public void Gemm(Tensor a, bool transposeA, Tensor b, bool transposeB, Tensor c, float alpha = 1, float beta = 0)
    {
        int m = transposeA ? a.Cols : a.Rows, k = transposeA ? a.Rows : a.Cols;
        int kb = transposeB ? b.Cols : b.Rows, n = transposeB ? b.Rows : b.Cols;
        if (k != kb || c.Rows != m || c.Cols != n || a.Rank != 2 || b.Rank != 2)
        {
            throw new ArgumentException(
                $"Cannot multiply {a.ShapeText}{(transposeA ? "ᵀ" : "")} by {b.ShapeText}{(transposeB ? "ᵀ" : "")} into {c.ShapeText}: " +
                (k != kb ? $"inner sizes {k} and {kb} differ." : $"the product is [{m}, {n}]."));
        }
        long start = Stopwatch.GetTimestamp();
        _gemm.Gemm(transposeA, transposeB, m, n, k, alpha, a.Extent, a.Stride, b.Extent, b.Stride, beta, c.Extent, c.Stride);
        Gemms.Add(m, n, k, 1, start);
    }

    /// <inheritdoc/>
    public void AddBias(Tensor y, Tensor bias)
    {
        if (bias.Length != y.Cols || bias.Rank != 1) throw new ArgumentException($"Cannot add bias {bias.ShapeText} to {y.ShapeText}: it needs [{y.Cols}].");
        ReadOnlySpan<float> b = bias.Row(0);
        for (int i = 0; i < y.Rows; i++) TensorPrimitives.Add(y.Row(i), b, y.Row(i));
    }

    /// <inheritdoc/>
    public void Activate(Activation activation, Tensor x, Tensor y)
    {
        Tensor.RequireSameShape(x, y, $"apply {activation}");
        using var scratch = activation == Activation.Relu ? null : Tensor.UninitializedVector(x.Cols);
        using var density = activation == Activation.Gelu ? Tensor.UninitializedVector(x.Cols) : null;
        for (int i = 0; i < x.Rows; i++)
        {
            ReadOnlySpan<float> xi = x.Row(i);
            Span<float> yi = y.Row(i);
            switch (activation)
            {
                case Activation.Relu:
                    TensorPrimitives.Max(xi, 0f, yi);
                    break;
                case Activation.Gelu:
                    NormalCdf(xi, scratch!.Row(0), density!.Row(0));
                    TensorPrimitives.Multiply(xi, scratch!.Row(0), yi); // y = x·Φ(x)
                    break;
                default:
                    Span<float> t = scratch!.Row(0);
                    GeluTanh(xi, t);
                    // y = 0.5·x·(1 + t)
                    for (int j = 0; j < xi.Length; j++) yi[j] = 0.5f * xi[j] * (1f + t[j]);
                    break;
            }
        }
    }

    /// <inheritdoc/>
    public void ActivateBackward(Activation activation, Tensor x, Tensor dy, Tensor dx)
    {
        Tensor.RequireSameShape(x, dy, $"differentiate {activation}");
        Tensor.RequireSameShape(dy, dx, $"differentiate {activation}");
        using var scratch = activation == Activation.Relu ? null : Tensor.UninitializedVector(x.Cols);
        using var density = activation == Activation.Gelu ? Tensor.UninitializedVector(x.Cols) : null;
        for (int i = 0; i < x.Rows; i++)
        {
            ReadOnlySpan<float> xi = x.Row(i), dyi = dy.Row(i);
            Span<float> dxi = dx.Row(i);
            switch (activation)
            {
                case Activation.Relu:
                    for (int j = 0; j < xi.Length; j++) dxi[j] = xi[j] > 0f ? dyi[j] : 0f;
                    break;
                case Activation.Gelu:
                {
                    Span<float> cdf = scratch!.Row(0), gauss = density!.Row(0);
                    NormalCdf(xi, cdf, gauss);
                    // d/dx x·Φ(x) = Φ(x) + x·φ(x), φ(x) = exp(−x²/2)/√(2π)
                    for (int j = 0; j < xi.Length; j++) dxi[j] = dyi[j] * (cdf[j] + xi[j] * gauss[j] * InvSqrtTwoPi);
                    break;
                }
                default:
                {
                    Span<float> t = scratch!.Row(0);
                    GeluTanh(xi, t);
                    // d/dx 0.5·x·(1 + t) = 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)
                    for (int j = 0; j < xi.Length; j++)
                    {
                        float v = xi[j], tj = t[j];
                        float du = SqrtTwoOverPi * (1f + 3f * GeluCubic * v * v);
                        dxi[j] = dyi[j] * (0.5f * (1f + tj) + 0.5f * v * (1f - tj * tj) * du);
                    }
                    break;
                }
            }
        }
    }

    /// <inheritdoc/>
    public void ColumnSums(Tensor x, Tensor sums)
    {
        if (sums.Length != x.Cols || sums.Rank != 1) throw new ArgumentException($"Cannot sum the columns of {x.ShapeText} into {sums.ShapeText}: it needs [{x.Cols}].");
        Span<float> s = sums.Row(0);
        s.Clear();
        for (int i = 0; i < x.Rows; i++) TensorPrimitives.Add(s, x.Row(i), s);
    }

    /// <inheritdoc/>
    public void Axpy(float alpha, Tensor x, Tensor y)
    {
        Tensor.RequireSameShape(x, y, "add");
        for (int i = 0; i < x.Rows; i++) TensorPrimitives.MultiplyAdd(x.Row(i), alpha, y.Row(i), y.Row(i));
    }

    /// <inheritdoc/>
    public void Scale(float alpha, Tensor x)
    {
        for (int i = 0; i < x.Rows; i++) TensorPrimitives.Multiply(x.Row(i), alpha, x.Row(i));
    }

    /// <inheritdoc/>
    public void Copy(Tensor source, Tensor destination) => source.CopyTo(destination);

    /// <inheritdoc/>
    public Tensor ConcatColumns(IReadOnlyList<Tensor> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("Cannot concatenate no tensors.", nameof(parts));
        int rows = parts[0].Rows;
        var mismatch = parts.FirstOrDefault(p => p.Rows != rows || p.Rank != 2);
        if (mismatch is not null) throw new ArgumentException($"Cannot concatenate columns of {parts[0].ShapeText} and {mismatch.ShapeText}: row counts differ.");
        var result = Tensor.Uninitialized(rows, parts.Sum(p => p.Cols));
        int column = 0;
        foreach (var part in parts)
        {
            part.CopyTo(result.ColumnBlock(column, part.Cols));
            column += part.Cols;
        }
        return result;
    }

    /// <inheritdoc/>
    public Tensor ConcatRows(IReadOnlyList<Tensor> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("Cannot concatenate no tensors.", nameof(parts));
        int cols = parts[0].Cols;
        var mismatch = parts.FirstOrDefault(p => p.Cols != cols || p.Rank != 2);
        if (mismatch is not null) throw new ArgumentException($"Cannot concatenate rows of {parts[0].ShapeText} and {mismatch.ShapeText}: column counts differ.");
        var result = Tensor.Uninitialized(parts.Sum(p => p.Rows), cols);
        int row = 0;
        foreach (var part in parts)
        {
            part.CopyTo(result.RowBlock(row, part.Rows));
            row += part.Rows;
        }
        return result;
    }

    // Φ(x) = 0.5·(1 + erf(x/√2)) and exp(−x²/2), vectorized. erf(u) for u ≥ 0 is 1 − poly(t)·exp(−u²) with
    // t = 1/(1 + p·u) (Abramowitz and Stegun 7.1.26, absolute error under 1.5e-7, float32's own precision near 1), odd in u.
    private static void NormalCdf(ReadOnlySpan<float> x, Span<float> cdf, Span<float> gauss)
    {
        Debug.Assert(cdf.Length == x.Length && gauss.Length == x.Length, "one scratch element per input element");
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; j <= x.Length - Vector<float>.Count; j += Vector<float>.Count)
            {
                var u = new Vector<float>(x[j..]) * InvSqrtTwo;
                var a = Vector.Abs(u);
                var e = Vector.Exp(-(a * a));
                var t = Vector<float>.One / (Vector<float>.One + ErfP * a);
                var poly = t * (new Vector<float>(ErfA1) + t * (new Vector<float>(ErfA2) + t * (new Vector<float>(ErfA3) + t * (new Vector<float>(ErfA4) + t * ErfA5))));
                var erfAbs = Vector<float>.One - poly * e;
                var erf = Vector.ConditionalSelect(Vector.LessThan(u, Vector<float>.Zero), -erfAbs, erfAbs);
                (0.5f * (Vector<float>.One + erf)).CopyTo(cdf[j..]);
                e.CopyTo(gauss[j..]);
            }
        }
        for (; j < x.Length; j++)
        {
            float u = x[j] * InvSqrtTwo, a = MathF.Abs(u), e = MathF.Exp(-a * a), t = 1f / (1f + ErfP * a);
            float erfAbs = 1f - t * (ErfA1 + t * (ErfA2 + t * (ErfA3 + t * (ErfA4 + t * ErfA5)))) * e;
            cdf[j] = 0.5f * (1f + (u < 0 ? -erfAbs : erfAbs));
            gauss[j] = e;
        }
    }

    // t = tanh(√(2/π)·(x + 0.044715·x³)), vectorized.
    private static void GeluTanh(ReadOnlySpan<float> x, Span<float> t)
    {
        for (int j = 0; j < x.Length; j++) t[j] = SqrtTwoOverPi * (x[j] + GeluCubic * x[j] * x[j] * x[j]);
        TensorPrimitives.Tanh(t, t);
    }
}
