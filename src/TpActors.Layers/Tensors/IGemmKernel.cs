namespace TpActors.Layers.Tensors;

/// <summary>
/// One implementation of single-precision GEMM on row-major matrices with leading dimensions:
/// C[m×n] = alpha·op(A)·op(B) + beta·C, where op(A) is m×k and op(B) is k×n. Shapes are checked by the caller.
/// </summary>
internal interface IGemmKernel
{
    /// <summary>A short name with the detail that matters for speed, e.g. "openblas (SkylakeX)".</summary>
    string Name { get; }

    /// <summary>Threads one call may use.</summary>
    int Threads { get; }

    /// <summary>Computes C = alpha·op(A)·op(B) + beta·C. A, B and C are given as their extents (first to last element) with row strides.</summary>
    void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc);
}
