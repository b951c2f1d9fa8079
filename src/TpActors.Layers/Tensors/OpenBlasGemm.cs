namespace TpActors.Layers.Tensors;

/// <summary>GEMM by OpenBLAS <c>cblas_sgemm</c>. OpenBLAS's thread count is process-wide: the last backend created sets it.</summary>
internal sealed unsafe class OpenBlasGemm : IGemmKernel
{
    private readonly OpenBlasLibrary _library;

    public OpenBlasGemm(OpenBlasLibrary library, int threads)
    {
        _library = library;
        _library.Threads = threads;
        Threads = _library.Threads;
    }

    public string Name => $"openblas ({_library.CoreName}, {_library.CoreTypeSource})";

    public int Threads { get; }

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        // BLAS reads no element of A or B when k = 0, but a zero-length span has no address to give it.
        float dummy = 0;
        fixed (float* pa = a, pb = b, pc = c)
        {
            _library.Sgemm(transposeA, transposeB, m, n, k, alpha,
                a.IsEmpty ? &dummy : pa, Math.Max(1, lda), b.IsEmpty ? &dummy : pb, Math.Max(1, ldb), beta, pc, Math.Max(1, ldc));
        }
    }
}
