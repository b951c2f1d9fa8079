using TpActors.Layers.Verification;
using static TpActors.Layers.Verification.ReferenceMath;

namespace TpActors.Layers.Tests.Parallel;

// Each layer on a group of rank actors against the full computation in float64 on the assembled weights.
public sealed class ParallelLayerTests(RankGroups groups) : IClassFixture<RankGroups>
{
    private const double Tolerance = 1e-5;

    public static TheoryData<int, int, int> Sizes => new()
    {
        { 1, 8, 32 }, { 2, 8, 32 }, { 3, 10, 22 }, { 4, 8, 32 }, { 5, 7, 13 }, { 6, 12, 18 }, { 7, 5, 9 }, { 8, 16, 64 }, { 8, 3, 5 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task ColumnParallel_WithAndWithoutGatherAndBias_MatchesTheFullLayer(int tp, int inFeatures, int outFeatures)
    {
        await using var group = await groups.Start(tp);
        foreach (bool gather in new[] { true, false })
            foreach (bool bias in new[] { true, false })
            {
                string what = $"column tp={tp} in={inFeatures} out={outFeatures} gather={gather} bias={bias}";
                using var x = Input(5, inFeatures, "x");
                using var dy = Input(5, outFeatures, "dy");
                var run = await LayerRun.Execute(group, new ColumnLinearSpec(inFeatures, outFeatures, bias, gather), x, _ => x.Clone(),
                    r => gather ? dy.Clone() : Block(dy, tp, r));
                // Split outputs (and output gradients) are the ranks' column blocks side by side.
                using var y = gather ? run.Outputs[0].Clone() : ShardAssembly.Assemble(run.Outputs, ShardAxis.Columns);
                var w = ToDouble(run.Full("linear.weight"));
                Expect(what + " Y", y, AddBias(MatMul(ToDouble(x), w), bias ? ToDouble(run.Full("linear.bias")) : null));
                Expect(what + " dX", run.GradInputs[0], MatMul(ToDouble(dy), w, transposeB: true));
                Expect(what + " dW", run.FullGrad("linear.weight"), MatMul(ToDouble(x), ToDouble(dy), transposeA: true));
                if (bias) Expect(what + " db", run.FullGrad("linear.bias"), ColumnSums(ToDouble(dy)));
                run.AssertReplicasIdentical(gather ? [run.Outputs, run.GradInputs] : [run.GradInputs]);
            }
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task RowParallel_WithAndWithoutParallelInputAndBias_MatchesTheFullLayer(int tp, int outFeatures, int inFeatures)
    {
        await using var group = await groups.Start(tp);
        foreach (bool parallelInput in new[] { true, false })
            foreach (bool bias in new[] { true, false })
            {
                string what = $"row tp={tp} in={inFeatures} out={outFeatures} parallelInput={parallelInput} bias={bias}";
                using var x = Input(5, inFeatures, "x");
                using var dy = Input(5, outFeatures, "dy");
                var run = await LayerRun.Execute(group, new RowLinearSpec(inFeatures, outFeatures, bias, parallelInput), x,
                    r => parallelInput ? Block(x, tp, r) : x.Clone(), _ => dy.Clone());
                var w = ToDouble(run.Full("linear.weight"));
                Expect(what + " Y", run.Outputs[0], AddBias(MatMul(ToDouble(x), w), bias ? ToDouble(run.Full("linear.bias")) : null));
                using var dx = parallelInput ? ShardAssembly.Assemble(run.GradInputs, ShardAxis.Columns) : run.GradInputs[0].Clone();
                Expect(what + " dX", dx, MatMul(ToDouble(dy), w, transposeB: true));
                Expect(what + " dW", run.FullGrad("linear.weight"), MatMul(ToDouble(x), ToDouble(dy), transposeA: true));
                if (bias) Expect(what + " db", run.FullGrad("linear.bias"), ColumnSums(ToDouble(dy)));
                run.AssertReplicasIdentical(parallelInput ? [run.Outputs] : [run.Outputs, run.GradInputs]);
            }
    }

    [Theory]
    [InlineData(1, Activation.Gelu)]
    [InlineData(2, Activation.Relu)]
    [InlineData(3, Activation.Gelu)]
    [InlineData(4, Activation.Relu)]
    [InlineData(8, Activation.Gelu)]
    public async Task Mlp_MatchesTheFullComputation_ThroughTheVerification(int tp, Activation activation)
    {
        foreach (bool bias in new[] { true, false })
        {
            var options = new VerifyOptions(tp, 5, 10, 22, 11, bias, activation, Tolerance);
            var report = await TensorParallelVerification.RunAsync(groups.System, options, RankGroups.Settings());
            foreach (var check in report.Checks) Assert.True(check.Passed, $"tp={tp} {activation} bias={bias}: {check.Name} error {check.MaxRelError:e2}");
            Assert.Equal(bias ? 15 : 11, report.Checks.Count); // 4 bias-gradient checks fewer without bias
        }
    }

    [Fact]
    public async Task ShardedInit_AssemblesToTheSameFullWeights_ForEveryTpSize()
    {
        float[]? reference = null;
        foreach (int tp in new[] { 1, 2, 3, 4, 7 })
        {
            await using var group = await groups.Start(tp);
            await group.AskAll<RankDone>(_ => new CreateLayer("mlp", group.Name, new MlpSpec(9, 23, true, Activation.Gelu), 5));
            var parameters = await group.AskAll<ParametersReply>(_ => new GetParameters("mlp"));
            var full = parameters[0].Parameters.Select((p, i) => ShardAssembly.Assemble(parameters.Select(r => r.Parameters[i].Value).ToList(), p.Axis))
                .SelectMany(t => t.ToArray()).ToArray();
            reference ??= full;
            Assert.True(reference.SequenceEqual(full), $"tp={tp} starts from the same full weights as tp=1");
        }
    }

    [Fact]
    public async Task WrongInputShape_FailsNamingTheLayerRankAndShapes()
    {
        await using var group = await groups.Start(2);
        await group.AskAll<RankDone>(_ => new CreateLayer("col", group.Name, new ColumnLinearSpec(8, 6, true, true), 1));
        var error = await Assert.ThrowsAsync<RankFailedException>(() => group.AskAll<TensorReply>(_ => new Forward("col", Tensor.Zeros(4, 7))));
        Assert.Equal([0, 1], error.Failures.Keys);
        Assert.Contains("ColumnParallelLinear(in=8, out=6) at rank 0 of 2: the input is [4, 7] but must be [batch, 8]", error.Message);
        var missing = await Assert.ThrowsAsync<RankFailedException>(() => group.AskAll<TensorReply>(_ => new Forward("nope", Tensor.Zeros(4, 8))));
        Assert.Contains("has no layer 'nope' (it has: col)", missing.Message);
    }

    [Fact]
    public async Task Gradients_Accumulate_OverBackwardPasses_UntilZeroed()
    {
        await using var group = await groups.Start(2);
        await group.AskAll<RankDone>(_ => new CreateLayer("mlp", group.Name, new MlpSpec(6, 10, true, Activation.Gelu), 3));
        using var x = Input(3, 6, "x");
        using var dy = Input(3, 6, "dy");
        async Task<float[]> Step()
        {
            await group.AskAll<TensorReply>(_ => new Forward("mlp", x.Clone()));
            await group.AskAll<TensorReply>(_ => new Backward("mlp", dy.Clone()));
            return (await group.AskAll<ParametersReply>(_ => new GetParameters("mlp")))[0].Parameters[0].Gradient.ToArray();
        }
        var once = await Step();
        var twice = await Step();
        for (int i = 0; i < once.Length; i++) Assert.Equal(2 * once[i], twice[i], 5);
    }

    private static Tensor Input(int rows, int cols, string stream) => LayerRun.Input(rows, cols, stream);

    private static Tensor Block(Tensor full, int tp, int rank) =>
        full.ColumnBlock(Partition.Start(full.Cols, tp, rank), Partition.Size(full.Cols, tp, rank)).Clone();

    private static void Expect(string what, Tensor actual, double[,] expected)
    {
        var check = CheckResult.Compare(what, actual, expected, Tolerance);
        Assert.True(check.Passed, $"{what}: relative error {check.MaxRelError:e2} (abs {check.MaxAbsError:e2})");
    }
}
