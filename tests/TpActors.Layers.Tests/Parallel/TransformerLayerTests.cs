using TpActors.Layers.Verification;
using static TpActors.Layers.Verification.ReferenceMath;

namespace TpActors.Layers.Tests.Parallel;

// The transformer's layers on a group of rank actors, heads split unevenly, against the full computation in float64.
public sealed class TransformerLayerTests(RankGroups groups) : IClassFixture<RankGroups>
{
    private const double Tolerance = 1e-5;

    // tp, hidden, heads, context, sequences: heads that split evenly and unevenly, one head per rank, one rank.
    public static TheoryData<int, int, int, int, int> AttentionSizes => new()
    {
        { 1, 12, 3, 4, 2 }, { 2, 12, 3, 4, 2 }, { 3, 40, 5, 11, 2 }, { 4, 16, 4, 3, 3 }, { 3, 18, 6, 7, 1 }, { 5, 35, 7, 5, 2 },
    };

    [Theory]
    [MemberData(nameof(AttentionSizes))]
    public async Task SelfAttention_SplitByHeads_MatchesTheFullLayer(int tp, int hidden, int heads, int context, int sequences)
    {
        await using var group = await groups.Start(tp);
        foreach (bool bias in new[] { true, false })
        {
            string what = $"attention tp={tp} hidden={hidden} heads={heads} T={context} bias={bias}";
            using var x = LayerRun.Input(sequences * context, hidden, "x");
            using var dy = LayerRun.Input(sequences * context, hidden, "dy");
            var run = await LayerRun.Execute(group, new AttentionSpec(hidden, heads, context, bias), x, _ => x.Clone(), _ => dy.Clone());

            double[,]? Full(string name) => bias || !name.EndsWith(".bias") ? ToDouble(run.Full(name)) : null;
            var weights = new AttentionWeights(Full("linear.query.weight")!, Full("linear.query.bias"), Full("linear.key.weight")!, Full("linear.key.bias"),
                Full("linear.value.weight")!, Full("linear.value.bias"), Full("linear.proj.weight")!, Full("linear.proj.bias"));
            var (y, expected) = Attention(ToDouble(x), weights, heads, context, ToDouble(dy));

            Expect(what + " Y", run.Outputs[0], y);
            Expect(what + " dX", run.GradInputs[0], expected.Input);
            Expect(what + " dWq", run.FullGrad("linear.query.weight"), expected.Query);
            Expect(what + " dWk", run.FullGrad("linear.key.weight"), expected.Key);
            Expect(what + " dWv", run.FullGrad("linear.value.weight"), expected.Value);
            Expect(what + " dWo", run.FullGrad("linear.proj.weight"), expected.Output);
            if (bias)
            {
                Expect(what + " dbq", run.FullGrad("linear.query.bias"), expected.QueryBias!);
                // The key bias adds q·b_k to every score of a row, which the softmax does not see: its gradient is 0 up to rounding.
                var keyBias = CheckResult.Compare(what + " dbk", run.FullGrad("linear.key.bias").Reshape(1, hidden), expected.KeyBias!, Tolerance);
                Assert.True(keyBias.MaxAbsError < 1e-6, $"{what} dbk: {keyBias.MaxAbsError:e2} from 0");
                Expect(what + " dbv", run.FullGrad("linear.value.bias"), expected.ValueBias!);
                Expect(what + " dbo", run.FullGrad("linear.proj.bias"), expected.OutputBias!);
            }
            run.AssertReplicasIdentical([run.Outputs, run.GradInputs]);
        }
    }

    [Fact]
    public async Task ARankWithoutAHead_OrAWidthThatIsNotWhole_IsRefusedNamingTheNumbers()
    {
        await using var group = await groups.Start(4);
        var tooMany = await Assert.ThrowsAsync<RankFailedException>(() => group.AskAll<RankDone>(_ => new CreateLayer("attn", group.Name, new AttentionSpec(12, 3, 4, true), 1)));
        Assert.Contains("Tensor parallelism of 4 is more than the 3 heads", tooMany.Message);
        var ragged = await Assert.ThrowsAsync<RankFailedException>(() => group.AskAll<RankDone>(_ => new CreateLayer("attn", group.Name, new AttentionSpec(10, 4, 4, true), 1)));
        Assert.Contains("The hidden size 10 is not divisible by 4 heads", ragged.Message);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(3, true)]
    public async Task LayerNorm_MatchesTheFullLayer_AndEveryReplicaStaysEqual(int tp, bool sequenceParallel)
    {
        await using var group = await groups.Start(tp);
        const int rows = 7, features = 10;
        using var x = LayerRun.Input(rows, features, "x");
        using var dy = LayerRun.Input(rows, features, "dy");
        // With sequence parallelism each rank holds a block of the rows (uneven: 3, 2, 2).
        Tensor Rows(Tensor full, int rank) => sequenceParallel
            ? full.RowBlock(Partition.Start(rows, tp, rank), Partition.Size(rows, tp, rank)).Clone()
            : full.Clone();
        var run = await LayerRun.Execute(group, new LayerNormSpec(features, 1e-5f, sequenceParallel), x, r => Rows(x, r), r => Rows(dy, r));

        using var output = sequenceParallel ? ShardAssembly.Assemble(run.Outputs, ShardAxis.Rows) : run.Outputs[0].Clone();
        using var gradInput = sequenceParallel ? ShardAssembly.Assemble(run.GradInputs, ShardAxis.Rows) : run.GradInputs[0].Clone();
        var gamma = ToDouble(run.Full("linear.weight").Reshape(1, features));
        var beta = ToDouble(run.Full("linear.bias").Reshape(1, features));
        Assert.All(gamma.Cast<double>(), g => Assert.Equal(1, g));
        Expect("LN Y", output, LayerNorm(ToDouble(x), gamma, beta, 1e-5));
        var (dx, dGamma, dBeta) = LayerNormBackward(ToDouble(x), gamma, ToDouble(dy), 1e-5);
        Expect("LN dX", gradInput, dx);
        foreach (var (name, expected) in new[] { ("linear.weight", dGamma), ("linear.bias", dBeta) })
        {
            var grads = run.Parameters.Select(p => p.Parameters.Single(s => s.Name == name).Gradient).ToArray();
            using var full = grads[0].Reshape(1, features).Clone();
            Expect("LN d" + name, full, expected);
            run.AssertReplicasIdentical([grads]);
        }
    }

    private static void Expect(string what, Tensor actual, double[,] expected)
    {
        if (actual.Rank == 1) actual = actual.Reshape(1, actual.Cols);
        var check = CheckResult.Compare(what, actual, expected, Tolerance);
        Assert.True(check.Passed, $"{what}: relative error {check.MaxRelError:e2} (abs {check.MaxAbsError:e2})");
    }
}
