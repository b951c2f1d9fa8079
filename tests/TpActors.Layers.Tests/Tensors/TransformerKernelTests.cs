using TpActors.Layers.Verification;

namespace TpActors.Layers.Tests.Tensors;

// The backend's transformer kernels against their float64 definitions: per-head GEMMs read in place, the causal softmax,
// LayerNorm, the embedding's gather and scatter-add, and the cross-entropy pieces over a vocabulary split unevenly.
public sealed class TransformerKernelTests
{
    private static readonly CpuBackend Backend = CpuBackend.Create(BackendKind.Auto, 1);

    public static TheoryData<BackendKind> Kinds => CpuBackend.OpenBlasAvailable ? new() { BackendKind.Managed, BackendKind.OpenBlas } : new() { BackendKind.Managed };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void PerHeadGemms_ReadTheHeadsInPlace_AndMatchFloat64(BackendKind kind)
    {
        var backend = CpuBackend.Create(kind, 1);
        const int batch = 2, heads = 3, context = 5, width = 4;
        // Q, K and V side by side in one [B·T, 3·H·d] matrix, as the QKV projection writes them.
        using var qkv = CpuBackendTests.Random(batch * context, 3 * heads * width, 11);
        var q = new BlockGrid(qkv.ColumnBlock(0, heads * width), context, width);
        var k = new BlockGrid(qkv.ColumnBlock(heads * width, heads * width), context, width);
        var v = new BlockGrid(qkv.ColumnBlock(2 * heads * width, heads * width), context, width);
        using var scores = Tensor.Zeros(batch * heads * context, context);
        using var attended = Tensor.Zeros(batch * context, heads * width);

        backend.GemmBatched(q, false, k, true, new BlockGrid(scores, context, context), alpha: 0.5f);
        backend.GemmBatched(new BlockGrid(scores, context, context), false, v, false, new BlockGrid(attended, context, width));

        for (int b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
            {
                int i = b * heads + h;
                var expectedScores = Scale(ReferenceMath.MatMul(ReferenceMath.ToDouble(q.Block(i)), ReferenceMath.ToDouble(k.Block(i)), transposeB: true), 0.5);
                AssertClose(expectedScores, scores.RowBlock(i * context, context), 1e-5);
                var expectedOut = ReferenceMath.MatMul(ReferenceMath.ToDouble(scores.RowBlock(i * context, context)), ReferenceMath.ToDouble(v.Block(i)));
                AssertClose(expectedOut, attended.RowBlock(b * context, context).ColumnBlock(h * width, width), 1e-5);
            }
    }

    [Fact]
    public void PerHeadGemms_OfGridsThatDoNotAgree_AreRefusedNamingTheShapes()
    {
        using var a = Tensor.Zeros(6, 8);
        using var c = Tensor.Zeros(12, 4);
        var error = Assert.Throws<ArgumentException>(() => Backend.GemmBatched(new BlockGrid(a, 3, 4), false, new BlockGrid(a, 3, 4), true, new BlockGrid(c, 3, 4)));
        Assert.Contains("[3, 4] blocks of [6, 8]", error.Message);
        Assert.Contains("each product is [3, 3]", error.Message);
        error = Assert.Throws<ArgumentException>(() => Backend.GemmBatched(new BlockGrid(a, 4, 4), false, new BlockGrid(a, 4, 4), true, new BlockGrid(c, 4, 4)));
        Assert.Contains("must tile", error.Message);
    }

    [Theory]
    [InlineData(12, 4, 0)]  // no mask
    [InlineData(12, 4, 4)]  // causal, as many queries as keys
    [InlineData(6, 5, 2)]   // causal, two new queries after three cached keys
    public void Softmax_MatchesFloat64_ForwardAndBackward(int rows, int cols, int causalQueries)
    {
        using var x = CpuBackendTests.Random(rows, cols, 21, scale: 4);
        using var dy = CpuBackendTests.Random(rows, cols, 22);
        using var y = Tensor.Uninitialized(rows, cols);
        using var dx = Tensor.Uninitialized(rows, cols);
        const float scale = 0.35f;

        Backend.Softmax(x, y, scale, causalQueries);
        Backend.SoftmaxBackward(y, dy, dx, scale);

        var expected = ReferenceMath.Softmax(ReferenceMath.ToDouble(x), scale, causalQueries);
        AssertClose(expected, y, 1e-6);
        AssertClose(ReferenceMath.SoftmaxBackward(expected, ReferenceMath.ToDouble(dy), scale), dx, 1e-5);
        for (int i = 0; i < rows; i++)
        {
            int visible = causalQueries == 0 ? cols : cols - causalQueries + i % causalQueries + 1;
            Assert.All(y.Row(i)[visible..].ToArray(), p => Assert.Equal(0f, p)); // masked: exactly 0
            Assert.All(dx.Row(i)[visible..].ToArray(), g => Assert.Equal(0f, g));
        }
    }

    [Fact]
    public void Softmax_OfHugeScores_StaysFinite()
    {
        using var x = Tensor.FromArray([1000f, 999f, -1000f, 88.8f, 89f, 1e30f], 2, 3);
        using var y = Tensor.Uninitialized(2, 3);
        Backend.Softmax(x, y);
        Assert.All(y.ToArray(), p => Assert.True(float.IsFinite(p)));
        AssertClose(ReferenceMath.Softmax(ReferenceMath.ToDouble(x)), y, 1e-6);
    }

    [Fact]
    public void Softmax_WithAMaskThatDoesNotFit_IsRefused()
    {
        using var x = Tensor.Zeros(5, 4);
        var error = Assert.Throws<ArgumentException>(() => Backend.Softmax(x, x, 1, causalQueries: 2));
        Assert.Contains("[5, 4]", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Backend.Softmax(x, x, scale: 0));
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(1000f)] // a mean far from 0 beside a spread of 1: two passes keep the digits
    public void LayerNorm_MatchesFloat64_ForwardAndBackward(float offset)
    {
        const int rows = 7, cols = 40;
        const float epsilon = 1e-5f;
        using var x = CpuBackendTests.Random(rows, cols, 31);
        for (int i = 0; i < rows; i++) Shift(x.Row(i), offset);
        using var gamma = CpuBackendTests.Random(1, cols, 32);
        using var beta = CpuBackendTests.Random(1, cols, 33);
        using var gammaVector = Tensor.VectorFrom(gamma.Row(0));
        using var betaVector = Tensor.VectorFrom(beta.Row(0));
        using var dy = CpuBackendTests.Random(rows, cols, 34);
        using var y = Tensor.Uninitialized(rows, cols);
        using var mean = Tensor.UninitializedVector(rows);
        using var rstd = Tensor.UninitializedVector(rows);
        using var dx = Tensor.Uninitialized(rows, cols);
        using var dGamma = Tensor.UninitializedVector(cols);
        using var dBeta = Tensor.UninitializedVector(cols);

        Backend.LayerNorm(x, gammaVector, betaVector, epsilon, y, mean, rstd);
        Backend.LayerNormBackward(x, gammaVector, mean, rstd, dy, dx, dGamma, dBeta);

        var x64 = ReferenceMath.ToDouble(x);
        var g64 = ReferenceMath.ToDouble(gamma);
        // Far from 0, the float32 inputs' own rounding bounds what any float32 LayerNorm can give.
        AssertClose(ReferenceMath.LayerNorm(x64, g64, ReferenceMath.ToDouble(beta), epsilon), y, offset == 0 ? 1e-5 : 1e-3);
        var (dx64, dGamma64, dBeta64) = ReferenceMath.LayerNormBackward(x64, g64, ReferenceMath.ToDouble(dy), epsilon);
        AssertClose(dx64, dx, offset == 0 ? 1e-5 : 1e-3);
        AssertClose(dGamma64, dGamma.Reshape(1, cols), offset == 0 ? 1e-5 : 1e-3);
        AssertClose(dBeta64, dBeta.Reshape(1, cols), 1e-6);
    }

    [Fact]
    public void AnEmbeddingShard_LooksUpItsOwnTokens_GivesZerosForOthers_AndAddsGradientsOfRepeatedTokens()
    {
        // The shard holds tokens 10, 11 and 12 of a larger vocabulary.
        using var table = Tensor.FromArray([1, 2, 3, 4, 5, 6], 3, 2);
        int[] ids = [11, 3, 12, 11, 13];
        using var rows = Tensor.Uninitialized(5, 2);

        Backend.GatherRows(table, ids, firstId: 10, rows);
        Assert.Equal([3, 4, 0, 0, 5, 6, 3, 4, 0, 0], rows.ToArray());

        using var grads = Tensor.FromArray([1, 1, 9, 9, 2, 2, 10, 20, 9, 9], 5, 2);
        using var dTable = Tensor.Zeros(3, 2);
        Backend.ScatterAddRows(grads, ids, firstId: 10, dTable);
        Assert.Equal([0, 0, 11, 21, 2, 2], dTable.ToArray());
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.1f)]
    public void CrossEntropyPieces_OverAnUnevenlySplitVocabulary_GiveTheWholeLossAndGradient(float smoothing)
    {
        const int rows = 6, vocabulary = 11;
        int[] shardWidths = [5, 4, 2];
        using var logits = CpuBackendTests.Random(rows, vocabulary, 41, scale: 3);
        int[] targets = [0, 10, 4, 5, 8, 4];

        // What each rank computes on its columns; the gathered maxima and the sums stand for the collectives.
        using var shardMaxima = Tensor.Uninitialized(shardWidths.Length, rows);
        int first = 0;
        for (int r = 0; r < shardWidths.Length; first += shardWidths[r], r++)
            using (var shardMax = Tensor.UninitializedVector(rows))
            {
                Backend.RowMax(logits.ColumnBlock(first, shardWidths[r]), shardMax);
                shardMax.Reshape(1, rows).CopyTo(shardMaxima.RowBlock(r, 1));
            }
        using var globalMax = Tensor.UninitializedVector(rows);
        Backend.ColumnMax(shardMaxima, globalMax);
        using var pieces = Tensor.ZerosVector(3 * rows); // [S | z_target | Σ z], summed over the shards
        first = 0;
        foreach (int width in shardWidths)
        {
            var shard = logits.ColumnBlock(first, width);
            using var shardPieces = Tensor.UninitializedVector(3 * rows);
            Backend.RowSumExp(shard, globalMax, shardPieces.ColumnBlock(0, rows));
            Backend.PickColumns(shard, targets, first, shardPieces.ColumnBlock(rows, rows));
            Backend.RowSums(shard, shardPieces.ColumnBlock(2 * rows, rows));
            Backend.Axpy(1, shardPieces, pieces);
            first += width;
        }
        using var logZ = Tensor.UninitializedVector(rows);
        using var losses = Tensor.UninitializedVector(rows);
        Backend.CrossEntropyLoss(globalMax, pieces.ColumnBlock(0, rows), pieces.ColumnBlock(rows, rows), pieces.ColumnBlock(2 * rows, rows), vocabulary, smoothing, logZ, losses);
        double loss = losses.ToArray().Average();

        // The gradient of the mean: 1 per row, then each row scaled by its dℓ = 1/rows.
        using var dLogits = Tensor.Uninitialized(rows, vocabulary);
        first = 0;
        foreach (int width in shardWidths)
        {
            Backend.CrossEntropyBackward(logits.ColumnBlock(first, width), logZ, targets, first, vocabulary, smoothing, 1, dLogits.ColumnBlock(first, width));
            first += width;
        }
        using var scales = Tensor.VectorFrom(Enumerable.Repeat(1f / rows, rows).ToArray());
        Backend.ScaleRows(dLogits, scales);

        var (expectedLoss, expectedGrad) = ReferenceMath.CrossEntropy(ReferenceMath.ToDouble(logits), targets, smoothing);
        Assert.Equal(expectedLoss, loss, 1e-5);
        AssertClose(expectedGrad, dLogits, 1e-5);
    }

    private static void Shift(Span<float> row, float offset)
    {
        for (int j = 0; j < row.Length; j++) row[j] += offset;
    }

    private static double[,] Scale(double[,] x, double alpha)
    {
        for (int i = 0; i < x.GetLength(0); i++) for (int j = 0; j < x.GetLength(1); j++) x[i, j] *= alpha;
        return x;
    }

    private static void AssertClose(double[,] expected, Tensor actual, double tolerance)
    {
        var result = CheckResult.Compare("values", actual, expected, tolerance);
        Assert.True(result.Passed, $"relative error {result.MaxRelError:e2} exceeds {tolerance:e1}");
    }
}
