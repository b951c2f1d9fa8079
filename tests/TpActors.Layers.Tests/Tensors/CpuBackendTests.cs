using TpActors.Layers.Verification;

namespace TpActors.Layers.Tests.Tensors;

public sealed class CpuBackendTests
{
    public static TheoryData<int, int, int> GemmSizes => new()
    {
        { 1, 1, 1 }, { 7, 13, 5 }, { 6, 16, 256 }, { 65, 33, 129 }, { 100, 300, 17 }, { 13, 1, 600 },
    };

    [Theory]
    [MemberData(nameof(GemmSizes))]
    public void ManagedGemm_MatchesFloat64_ForEveryTransposeAndAlphaBeta(int m, int n, int k) => GemmMatchesFloat64(CpuBackend.Create(BackendKind.Managed, 1), m, n, k);

    [Fact]
    public void ManagedGemm_WithThreads_MatchesOneThread()
    {
        using var a = Random(300, 200, 1);
        using var b = Random(200, 150, 2);
        using var one = Tensor.Zeros(300, 150);
        using var four = Tensor.Zeros(300, 150);
        CpuBackend.Create(BackendKind.Managed, 1).Gemm(a, false, b, false, one);
        CpuBackend.Create(BackendKind.Managed, 4).Gemm(a, false, b, false, four);
        Assert.Equal(one.ToArray(), four.ToArray()); // row blocks are split over threads; each element is computed the same way
    }

    [OpenBlasFact]
    public void OpenBlasGemm_MatchesFloat64()
    {
        var backend = CpuBackend.Create(BackendKind.OpenBlas, 1);
        Assert.StartsWith("openblas", backend.Name);
        foreach (var size in GemmSizes) GemmMatchesFloat64(backend, (int)size[0], (int)size[1], (int)size[2]);
    }

    [OpenBlasFact]
    public void OpenBlasAndManaged_Agree_OnTheSameProduct()
    {
        using var a = Random(257, 129, 3);
        using var b = Random(129, 77, 4);
        using var viaBlas = Tensor.Zeros(257, 77);
        using var viaManaged = Tensor.Zeros(257, 77);
        CpuBackend.Create(BackendKind.OpenBlas, 2).Gemm(a, false, b, false, viaBlas);
        CpuBackend.Create(BackendKind.Managed, 1).Gemm(a, false, b, false, viaManaged);
        var expected = ReferenceMath.ToDouble(viaManaged);
        var result = CheckResult.Compare("openblas vs managed", viaBlas, expected, 1e-5);
        Assert.True(result.Passed, $"the two GEMMs differ by {result.MaxRelError:e2} relative");
    }

    [Fact]
    public void Gemm_ShapeMismatch_NamesTheShapes()
    {
        var backend = CpuBackend.Create(BackendKind.Managed, 1);
        using var a = Tensor.Zeros(4, 8);
        using var b = Tensor.Zeros(7, 3);
        using var c = Tensor.Zeros(4, 3);
        var e = Assert.Throws<ArgumentException>(() => backend.Gemm(a, false, b, false, c));
        Assert.Contains("[4, 8]", e.Message);
        Assert.Contains("[7, 3]", e.Message);
        Assert.Contains("inner sizes 8 and 7", e.Message);
    }

    [Theory]
    [InlineData(Activation.Gelu)]
    [InlineData(Activation.GeluTanh)]
    [InlineData(Activation.Relu)]
    public void Activation_ForwardAndBackward_MatchFloat64(Activation activation)
    {
        var backend = CpuBackend.Create(BackendKind.Managed, 1);
        using var x = Random(9, 37, 5, scale: 4);
        using var dy = Random(9, 37, 6);
        using var y = x.EmptyLike();
        using var dx = x.EmptyLike();
        backend.Activate(activation, x, y);
        backend.ActivateBackward(activation, x, dy, dx);
        var X = ReferenceMath.ToDouble(x);
        AssertClose(ReferenceMath.Activate(activation, X), y, 1e-6);
        AssertClose(ReferenceMath.ActivateBackward(activation, X, ReferenceMath.ToDouble(dy)), dx, 1e-5);
    }

    [Fact]
    public void Gelu_IsPyTorchsErfForm_AndGeluTanhItsApproximation()
    {
        // 0.5·x·(1 + erf(x/√2)) and the tanh form, from Python's math.erf and math.tanh in float64 (F.gelu's definitions).
        double[] xs = [-3.0, -1.5, -0.5, 0.0, 0.3, 1.0, 2.0, 4.0];
        double[] erfForm = [-0.00404969409489031, -0.10021080190328713, -0.15426876936299344, 0.0, 0.18537342665668577, 0.8413447460685429, 1.9544997361036416, 3.9998733150326675];
        double[] tanhForm = [-0.0036373920817729943, -0.10042842301976707, -0.15428599017485606, 0.0, 0.18537092354275922, 0.8411919906082768, 1.954597694087775, 3.9999297540518075];
        var backend = CpuBackend.Create(BackendKind.Managed, 1);
        using var x = Tensor.FromArray(xs.Select(v => (float)v).ToArray(), 1, xs.Length);
        using var y = x.EmptyLike();
        foreach (var (activation, expected) in new[] { (Activation.Gelu, erfForm), (Activation.GeluTanh, tanhForm) })
        {
            backend.Activate(activation, x, y);
            var actual = y.ToArray();
            for (int i = 0; i < xs.Length; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 3e-7 * Math.Max(1, Math.Abs(expected[i])), $"{activation}({xs[i]}) = {actual[i]}, expected {expected[i]}");
            var exact = new double[1, xs.Length];
            for (int i = 0; i < xs.Length; i++) exact[0, i] = xs[i];
            var reference = ReferenceMath.Activate(activation, exact);
            for (int i = 0; i < xs.Length; i++) Assert.Equal(expected[i], reference[0, i], 1e-14);
        }
        Assert.True(Math.Abs(erfForm[0] - tanhForm[0]) > 4e-4, "the two forms differ by more than float32 noise: gelu is not gelu-tanh");
    }

    [Theory]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(1.999, 0.9953015566513705)]
    [InlineData(2.001, 0.9953428907185247)]
    [InlineData(3.0, 0.9999779095030014)]
    [InlineData(-1.5, -0.9661051464753108)]
    [InlineData(6.0, 1.0)]
    public void ReferenceErf_AgreesWithACorrectlyRoundedErf(double x, double expected) => Assert.Equal(expected, ReferenceMath.Erf(x), 2e-15);

    [Fact]
    public void BiasColumnSumsAxpyScaleConcat_DoWhatTheySay()
    {
        var backend = CpuBackend.Create(BackendKind.Managed, 1);
        using var y = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3);
        using var bias = Tensor.VectorFrom([10, 20, 30]);
        backend.AddBias(y, bias);
        Assert.Equal([11f, 22, 33, 14, 25, 36], y.ToArray());
        using var sums = Tensor.UninitializedVector(3);
        backend.ColumnSums(y, sums);
        Assert.Equal([25f, 47, 69], sums.ToArray());
        backend.Axpy(2, bias, sums);
        Assert.Equal([45f, 87, 129], sums.ToArray());
        backend.Scale(0.5f, sums);
        Assert.Equal([22.5f, 43.5f, 64.5f], sums.ToArray());
        using var left = Tensor.FromArray([1, 2], 2, 1);
        using var both = backend.ConcatColumns([left, y]);
        Assert.Equal([1f, 11, 22, 33, 2, 14, 25, 36], both.ToArray());
        using var stacked = backend.ConcatRows([y, y.RowBlock(0, 1)]);
        Assert.Equal(3, stacked.Rows);
        Assert.Contains("[4]", Assert.Throws<ArgumentException>(() => backend.AddBias(y, Tensor.ZerosVector(4))).Message);
    }

    [Fact]
    public void OpenBlasRequested_WhereItDoesNotLoad_SaysWhy_ElseDescribesCoreAndThreads()
    {
        if (CpuBackend.OpenBlasAvailable)
        {
            var backend = CpuBackend.Create(BackendKind.Auto, 1);
            Assert.Contains("openblas", backend.Description);
            Assert.Contains("1 BLAS thread", backend.Description);
        }
        else
        {
            Assert.Contains("libopenblas", Assert.Throws<InvalidOperationException>(() => CpuBackend.Create(BackendKind.OpenBlas, 1)).Message);
            Assert.Contains("OpenBLAS not used", CpuBackend.Create(BackendKind.Auto, 1).Description);
        }
    }

    private static void GemmMatchesFloat64(CpuBackend backend, int m, int n, int k)
    {
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                // Operands are column views of wider matrices, so leading dimensions differ from widths.
                using var aFull = Random(ta ? k : m, (ta ? m : k) + 3, 7);
                using var bFull = Random(tb ? n : k, (tb ? k : n) + 5, 8);
                var a = aFull.ColumnBlock(1, ta ? m : k);
                var b = bFull.ColumnBlock(2, tb ? k : n);
                using var c = Random(m, n, 9);
                var expected = ReferenceMath.MatMul(ReferenceMath.ToDouble(a), ReferenceMath.ToDouble(b), ta, tb);
                var c0 = ReferenceMath.ToDouble(c);
                for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) expected[i, j] = 0.5 * expected[i, j] + 2 * c0[i, j];
                backend.Gemm(a, ta, b, tb, c, alpha: 0.5f, beta: 2f);
                var result = CheckResult.Compare("gemm", c, expected, 1e-5);
                Assert.True(result.Passed, $"{backend.Name} {m}x{n}x{k} transA={ta} transB={tb}: relative error {result.MaxRelError:e2}");
            }
    }

    private static void AssertClose(double[,] expected, Tensor actual, double tolerance)
    {
        var result = CheckResult.Compare("values", actual, expected, tolerance);
        Assert.True(result.Passed, $"relative error {result.MaxRelError:e2} exceeds {tolerance:e1}");
    }

    internal static Tensor Random(int rows, int cols, int stream, float scale = 1)
    {
        var t = Tensor.Uninitialized(rows, cols);
        MasterWeights.FillUniform(t, 1234, $"test.{stream}", 0, 0, cols, scale);
        return t;
    }
}
