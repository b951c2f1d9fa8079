using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TpActors.Layers.Tensors;

/// <summary>
/// GEMM in managed code for machines without OpenBLAS: blocked for cache in the classic Goto way.
/// For each KC-deep slice of k, B is packed once into NR-wide column panels; then, per MC-row block of C
/// (blocks spread over <see cref="Threads"/> threads), A is packed into MR-tall row panels and a register-blocked
/// micro-kernel adds an MR×NR tile of products held in 2·MR <see cref="Vector256{T}"/> accumulators with fused multiply-adds.
/// Transposes are absorbed by the packing, so the kernel only ever sees unit-stride panels.
/// </summary>
internal sealed class ManagedGemm(int threads) : IGemmKernel
{
    private const int MR = 6;      // rows of a micro-tile
    private const int NR = 16;     // columns of a micro-tile: two Vector256<float>
    private const int KC = 256;    // depth of a packed slice: an MR×KC panel of A and a KC×NR panel of B stay in L1/L2
    private const int MC = 96;     // rows of A packed per block (a multiple of MR)

    public string Name => Vector256.IsHardwareAccelerated ? "managed (Vector256 FMA)" : "managed (software vectors)";

    public int Threads { get; } = Math.Max(1, threads);

    public void Gemm(bool transposeA, bool transposeB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0) return;
        ScaleC(c, m, n, ldc, beta);
        if (k == 0 || alpha == 0) return;

        int panelsB = (n + NR - 1) / NR;
        float[] packedB = ArrayPool<float>.Shared.Rent(panelsB * NR * KC);
        try
        {
            for (int k0 = 0; k0 < k; k0 += KC)
            {
                int kc = Math.Min(KC, k - k0);
                PackB(b, ldb, transposeB, k0, kc, n, packedB);
                int blocks = (m + MC - 1) / MC;
                if (Threads == 1 || blocks == 1)
                {
                    for (int block = 0; block < blocks; block++) RowBlock(block, kc, k0, transposeA, m, n, alpha, a, lda, packedB, c, ldc);
                }
                else
                {
                    // Blocks of C rows are disjoint, so threads never write the same element. Spans cannot cross
                    // into a lambda, so the delegate reaches the buffers through pinned pointers.
                    RunParallel(blocks, kc, k0, transposeA, m, n, alpha, a, lda, packedB, c, ldc);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packedB);
        }
    }

    private unsafe void RunParallel(int blocks, int kc, int k0, bool transposeA, int m, int n, float alpha,
        ReadOnlySpan<float> a, int lda, float[] packedB, Span<float> c, int ldc)
    {
        fixed (float* pa = a, pc = c)
        {
            nint aAddress = (nint)pa, cAddress = (nint)pc;
            int aLength = a.Length, cLength = c.Length;
            System.Threading.Tasks.Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Threads }, block =>
            {
                var aSpan = new ReadOnlySpan<float>((float*)aAddress, aLength);
                var cSpan = new Span<float>((float*)cAddress, cLength);
                RowBlock(block, kc, k0, transposeA, m, n, alpha, aSpan, lda, packedB, cSpan, ldc);
            });
        }
    }

    // One MC-row block of C against the packed B slice.
    private static void RowBlock(int block, int kc, int k0, bool transposeA, int m, int n, float alpha,
        ReadOnlySpan<float> a, int lda, float[] packedB, Span<float> c, int ldc)
    {
        int i0 = block * MC;
        int mc = Math.Min(MC, m - i0);
        float[] packedA = ArrayPool<float>.Shared.Rent(MC * KC);
        Span<float> tile = stackalloc float[MR * NR];
        try
        {
            PackA(a, lda, transposeA, i0, mc, k0, kc, packedA);
            for (int ip = 0; ip < mc; ip += MR)
            {
                int mr = Math.Min(MR, mc - ip);
                ReadOnlySpan<float> panelA = packedA.AsSpan(ip * kc, MR * kc);
                for (int jp = 0, panel = 0; jp < n; jp += NR, panel++)
                {
                    int nr = Math.Min(NR, n - jp);
                    MicroKernel(kc, panelA, packedB.AsSpan(panel * NR * kc, NR * kc), tile);
                    for (int r = 0; r < mr; r++)
                    {
                        Span<float> cRow = c.Slice((i0 + ip + r) * ldc + jp, nr);
                        ReadOnlySpan<float> tileRow = tile.Slice(r * NR, nr);
                        for (int j = 0; j < nr; j++) cRow[j] += alpha * tileRow[j];
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packedA);
        }
    }

    // tile[MR×NR] = panelA[kc×MR]ᵀ · panelB[kc×NR]; both panels are k-major.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroKernel(int kc, ReadOnlySpan<float> panelA, ReadOnlySpan<float> panelB, Span<float> tile)
    {
        Debug.Assert(panelA.Length >= kc * MR && panelB.Length >= kc * NR && tile.Length == MR * NR, "Panels hold kc steps and the tile is MR×NR.");
        ref float pa = ref MemoryMarshal.GetReference(panelA);
        ref float pb = ref MemoryMarshal.GetReference(panelB);
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.LoadUnsafe(ref pb, (nuint)(p * NR));
            var b1 = Vector256.LoadUnsafe(ref pb, (nuint)(p * NR + 8));
            ref float ap = ref Unsafe.Add(ref pa, p * MR);
            var a = Vector256.Create(ap);
            c00 = Vector256.FusedMultiplyAdd(a, b0, c00); c01 = Vector256.FusedMultiplyAdd(a, b1, c01);
            a = Vector256.Create(Unsafe.Add(ref ap, 1));
            c10 = Vector256.FusedMultiplyAdd(a, b0, c10); c11 = Vector256.FusedMultiplyAdd(a, b1, c11);
            a = Vector256.Create(Unsafe.Add(ref ap, 2));
            c20 = Vector256.FusedMultiplyAdd(a, b0, c20); c21 = Vector256.FusedMultiplyAdd(a, b1, c21);
            a = Vector256.Create(Unsafe.Add(ref ap, 3));
            c30 = Vector256.FusedMultiplyAdd(a, b0, c30); c31 = Vector256.FusedMultiplyAdd(a, b1, c31);
            a = Vector256.Create(Unsafe.Add(ref ap, 4));
            c40 = Vector256.FusedMultiplyAdd(a, b0, c40); c41 = Vector256.FusedMultiplyAdd(a, b1, c41);
            a = Vector256.Create(Unsafe.Add(ref ap, 5));
            c50 = Vector256.FusedMultiplyAdd(a, b0, c50); c51 = Vector256.FusedMultiplyAdd(a, b1, c51);
        }
        ref float t = ref MemoryMarshal.GetReference(tile);
        c00.StoreUnsafe(ref t, 0); c01.StoreUnsafe(ref t, 8);
        c10.StoreUnsafe(ref t, 16); c11.StoreUnsafe(ref t, 24);
        c20.StoreUnsafe(ref t, 32); c21.StoreUnsafe(ref t, 40);
        c30.StoreUnsafe(ref t, 48); c31.StoreUnsafe(ref t, 56);
        c40.StoreUnsafe(ref t, 64); c41.StoreUnsafe(ref t, 72);
        c50.StoreUnsafe(ref t, 80); c51.StoreUnsafe(ref t, 88);
    }

    // packedA[panel][p][r] = op(A)[i0 + panel·MR + r, k0 + p], zero past the last row.
    private static void PackA(ReadOnlySpan<float> a, int lda, bool transposeA, int i0, int mc, int k0, int kc, float[] packedA)
    {
        for (int ip = 0; ip < mc; ip += MR)
        {
            Span<float> panel = packedA.AsSpan(ip * kc, MR * kc);
            int mr = Math.Min(MR, mc - ip);
            if (mr < MR) panel.Clear();
            for (int r = 0; r < mr; r++)
            {
                int row = i0 + ip + r;
                if (transposeA) for (int p = 0; p < kc; p++) panel[p * MR + r] = a[(k0 + p) * lda + row];
                else
                {
                    ReadOnlySpan<float> source = a.Slice(row * lda + k0, kc);
                    for (int p = 0; p < kc; p++) panel[p * MR + r] = source[p];
                }
            }
        }
    }

    // packedB[panel][p][j] = op(B)[k0 + p, panel·NR + j], zero past the last column.
    private static void PackB(ReadOnlySpan<float> b, int ldb, bool transposeB, int k0, int kc, int n, float[] packedB)
    {
        for (int jp = 0, panelIndex = 0; jp < n; jp += NR, panelIndex++)
        {
            Span<float> panel = packedB.AsSpan(panelIndex * NR * kc, NR * kc);
            int nr = Math.Min(NR, n - jp);
            if (nr < NR) panel.Clear();
            for (int p = 0; p < kc; p++)
            {
                Span<float> step = panel.Slice(p * NR, nr);
                if (transposeB) for (int j = 0; j < nr; j++) step[j] = b[(jp + j) * ldb + k0 + p];
                else b.Slice((k0 + p) * ldb + jp, nr).CopyTo(step);
            }
        }
    }

    private static void ScaleC(Span<float> c, int m, int n, int ldc, float beta)
    {
        if (beta == 1) return;
        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * ldc, n);
            if (beta == 0) row.Clear();
            else System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }
}
