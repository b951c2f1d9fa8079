using TpActors.Layers.Verification;
using static TpActors.Layers.Verification.ReferenceMath;

namespace TpActors.Layers.Tests.Parallel;

// The transformer block and the GPT on a group of rank actors, heads, vocabulary and sequence split unevenly, with and
// without sequence parallelism, against the full computation in float64.
public sealed class TransformerModelTests(RankGroups groups) : IClassFixture<RankGroups>
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(3, true)]
    [InlineData(4, true)]
    public async Task Block_MatchesTheFullBlock_WithAndWithoutSequenceParallelism(int tp, bool sequenceParallel)
    {
        await using var group = await groups.Start(tp);
        const int hidden = 20, heads = 5, ffn = 36, context = 7, sequences = 2, tokens = sequences * context; // 14 rows: 5, 5, 4 or 4, 4, 3, 3
        var spec = new BlockSpec(hidden, heads, ffn, context, Bias: true, Activation.Gelu, 1e-5f, sequenceParallel ? tokens : 0);
        using var x = LayerRun.Input(tokens, hidden, "x");
        using var dy = LayerRun.Input(tokens, hidden, "dy");
        var run = await LayerRun.Execute(group, spec, x, r => Rows(x, tp, r, sequenceParallel), r => Rows(dy, tp, r, sequenceParallel));

        var weights = FullWeights(run);
        var gradients = new Dictionary<string, double[,]>();
        var (y, dx) = TransformerBlock(ToDouble(x), weights, "linear", heads, context, Activation.Gelu, 1e-5, ToDouble(dy), gradients);
        string what = $"block tp={tp} sp={sequenceParallel}";
        using var output = sequenceParallel ? ShardAssembly.Assemble(run.Outputs, ShardAxis.Rows) : run.Outputs[0].Clone();
        using var gradInput = sequenceParallel ? ShardAssembly.Assemble(run.GradInputs, ShardAxis.Rows) : run.GradInputs[0].Clone();
        Expect(what + " Y", output, y);
        Expect(what + " dX", gradInput, dx!);
        ExpectGradients(what, run, gradients);
        if (!sequenceParallel) run.AssertReplicasIdentical([run.Outputs, run.GradInputs]);
    }

    // tp, hidden, heads, vocab, context, sequences, tied, smoothing, sequence parallel: the issue's own sizes among them.
    public static TheoryData<int, int, int, int, int, int, bool, float, bool> GptSizes => new()
    {
        { 1, 16, 2, 23, 5, 2, false, 0f, false },
        { 2, 16, 2, 23, 5, 2, true, 0.1f, false },
        { 3, 40, 5, 67, 11, 2, true, 0.1f, true },
        { 3, 40, 5, 67, 11, 1, false, 0f, true },
        { 4, 24, 6, 31, 5, 3, false, 0.2f, false },
        { 5, 20, 5, 11, 3, 1, true, 0f, true },
    };

    [Theory]
    [MemberData(nameof(GptSizes))]
    public async Task Gpt_MatchesTheFullModel_LossesAndEveryGradient(int tp, int hidden, int heads, int vocab, int context, int sequences, bool tied, float smoothing, bool sequenceParallel)
    {
        await using var group = await groups.Start(tp);
        int tokens = sequences * context;
        var spec = new GptSpec(vocab, hidden, heads, 2 * hidden, context, Layers: 2, Bias: true, Activation.Gelu, 1e-5f, smoothing, tied, sequenceParallel ? tokens : 0);
        var random = new Random(tp * 1000 + vocab);
        int[] ids = Enumerable.Range(0, tokens).Select(_ => random.Next(vocab)).ToArray();
        int[] targets = Enumerable.Range(0, tokens).Select(_ => random.Next(vocab)).ToArray();
        using var input = Tensor.FromArray(ids.Zip(targets).SelectMany(p => new float[] { p.First, p.Second }).ToArray(), tokens, 2);
        // Each row's loss gradient differs, so that the per-row scaling is checked too.
        float[] dLoss = Enumerable.Range(0, tokens).Select(i => (1 + i % 3) / (float)tokens).ToArray();
        using var gradLoss = Tensor.FromArray(dLoss, tokens, 1);
        var run = await LayerRun.Execute(group, spec, input, _ => input.Clone(), _ => gradLoss.Clone());

        var (losses, gradients) = Gpt(ids, targets, FullWeights(run), "linear", spec, dLoss.Select(d => (double)d).ToArray());
        string what = $"gpt tp={tp} vocab={vocab} heads={heads} tied={tied} ε={smoothing} sp={sequenceParallel}";
        var expectedLosses = new double[tokens, 1];
        for (int i = 0; i < tokens; i++) expectedLosses[i, 0] = losses[i];
        Expect(what + " losses", run.Outputs[0], expectedLosses);
        ExpectGradients(what, run, gradients);
        Assert.Equal(tied ? 0 : 1, run.Parameters[0].Parameters.Count(p => p.Name == "linear.lm_head.weight"));
        run.AssertReplicasIdentical([run.Outputs]);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public async Task Decoding_WithAKvCacheShardedByHeads_GivesTheFullCausalModelsPredictions(int tp, bool tied)
    {
        await using var group = await groups.Start(tp);
        const int vocab = 29, context = 9;
        var spec = new GptSpec(vocab, 24, 6, 48, context, Layers: 2, Bias: true, Activation.Gelu, 1e-5f, 0, tied);
        int[] sequence = [3, 17, 0, 28, 5, 5, 11, 2, 19];
        // A prompt of 3 positions at once, then one position at a time: the last row's logits after each call.
        var runs = await group.RunOnEachRank(context1 =>
        {
            using var gpt = new ParallelGpt(context1, spec, 5, "gpt");
            var caches = gpt.NewCaches();
            var logits = new List<float[]>();
            for (int position = 0; position < context;)
            {
                int n = position == 0 ? 3 : 1;
                using var last = gpt.Decode(sequence.AsSpan(position, n), position, caches);
                logits.Add(last.ToArray());
                position += n;
            }
            foreach (var cache in caches) cache.Dispose();
            return (Logits: logits, Parameters: gpt.Parameters.Select(p => new ParameterShard(p.Name, p.Value.Clone(), p.Gradient.Clone(), p.Axis)).ToList());
        });

        var weights = runs[0].Parameters.ToDictionary(p => p.Name, p => ToDouble(Matrix(ShardAssembly.Assemble(runs.Select(r => (IReadOnlyList<ParameterShard>)r.Parameters), p.Name))));
        // The full model's loss of token t+1 after positions 0…t is −log softmax(logits_t)[t+1]: the decoded logits must give the same.
        int[] targets = [.. sequence.Skip(1), 0];
        var (losses, _) = Gpt(sequence, targets, weights, "gpt", spec, new double[context]);
        int[] lastPositions = [2, 3, 4, 5, 6, 7, 8];
        for (int k = 0; k < lastPositions.Length; k++)
        {
            int t = lastPositions[k];
            float[] z = runs[0].Logits[k];
            Assert.All(runs, r => Assert.Equal(z, r.Logits[k])); // every rank holds the same gathered logits
            double max = z.Max(), logSum = Math.Log(z.Sum(v => Math.Exp(v - max))) + max;
            Assert.Equal(losses[t], logSum - z[targets[t]], 4);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task SequenceParallelBlock_KeepsTheResidualRegionsSplit_AndNoGatheredInput(int tp)
    {
        const int hidden = 24, heads = 6, ffn = 40, context = 5, sequences = 2, tokens = sequences * context;
        async Task<long[]> SavedAfterForward(bool sequenceParallel)
        {
            await using var group = await groups.Start(tp);
            var spec = new BlockSpec(hidden, heads, ffn, context, Bias: true, Activation.Gelu, 1e-5f, sequenceParallel ? tokens : 0);
            using var x = LayerRun.Input(tokens, hidden, "x");
            await group.AskAll<RankDone>(_ => new CreateLayer("block", group.Name, spec, 3));
            foreach (var reply in await group.AskAll<TensorReply>(r => new Forward("block", Rows(x, tp, r, sequenceParallel)))) reply.Tensor.Dispose();
            long[] saved = await group.AskAll<long>(_ => new GetSavedBytes("block"));
            foreach (var reply in await group.AskAll<TensorReply>(r => new Backward("block", Rows(x, tp, r, sequenceParallel)))) reply.Tensor.Dispose();
            Assert.All(await group.AskAll<long>(_ => new GetSavedBytes("block")), after => Assert.Equal(0, after));
            return saved;
        }

        long[] plain = await SavedAfterForward(false), split = await SavedAfterForward(true);
        for (int r = 0; r < tp; r++)
        {
            // Per rank: rows n of LN₁(x), h, LN₂(h) and two LayerNorm statistics each, then Q|K|V, the scores and O of its
            // heads and the MLP's two ffn_r-wide activations over all the batch's tokens.
            int localHeads = Partition.Size(heads, tp, r), width = localHeads * hidden / heads, ffnLocal = Partition.Size(ffn, tp, r);
            long Expected(int n) => sizeof(float) * (3L * n * hidden + 4L * n + 4L * tokens * width + (long)sequences * localHeads * context * context + 2L * tokens * ffnLocal);
            Assert.Equal(Expected(tokens), plain[r]);
            Assert.Equal(Expected(Partition.Size(tokens, tp, r)), split[r]);
        }
    }

    [Fact]
    public async Task Gpt_RefusesSizesThatCannotSplit_NamingTheNumbers()
    {
        await using var group = await groups.Start(4);
        async Task<string> Refusal(GptSpec spec) =>
            (await Assert.ThrowsAsync<RankFailedException>(() => group.AskAll<RankDone>(_ => new CreateLayer("gpt", group.Name, spec, 1)))).Message;
        var fine = new GptSpec(11, 16, 4, 32, 5, 1, true, Activation.Gelu, 1e-5f, 0, false);
        Assert.Contains("Tensor parallelism of 4 is more than the 3 tokens of the vocabulary", await Refusal(fine with { Vocab = 3 }));
        Assert.Contains("A vocabulary needs at least 1 token, not 0", await Refusal(fine with { Vocab = 0 }));
        Assert.Contains("needs a context of at least 1 token, not 0", await Refusal(fine with { Context = 0 }));
        Assert.Contains("Sequence parallelism needs whole sequences of 5 tokens, not 7", await Refusal(fine with { SequenceParallelTokens = 7 }));
    }

    // With sequence parallelism each rank is given its rows of the batch (uneven where tp does not divide them).
    private static Tensor Rows(Tensor full, int tp, int rank, bool sequenceParallel) => sequenceParallel
        ? full.RowBlock(Partition.Start(full.Rows, tp, rank), Partition.Size(full.Rows, tp, rank)).Clone()
        : full.Clone();

    private static Dictionary<string, double[,]> FullWeights(LayerRun run) =>
        run.Parameters[0].Parameters.ToDictionary(p => p.Name, p => ToDouble(Matrix(run.Full(p.Name))));

    private static void ExpectGradients(string what, LayerRun run, Dictionary<string, double[,]> expected)
    {
        var names = run.Parameters[0].Parameters.Select(p => p.Name).ToList();
        Assert.Equal(expected.Keys.Order(), names.Order());
        foreach (string name in names)
        {
            using var gradient = Matrix(run.FullGrad(name));
            if (name.EndsWith(".attn.key.bias"))
            {
                // The key bias adds q·b_k to every score of a row, which the softmax does not see: its gradient is 0 up to rounding.
                var check = CheckResult.Compare($"{what} d{name}", gradient, expected[name], Tolerance);
                Assert.True(check.MaxAbsError < 1e-5, $"{what} d{name}: {check.MaxAbsError:e2} from 0");
                continue;
            }
            Expect($"{what} d{name}", gradient, expected[name]);
        }
    }

    private static Tensor Matrix(Tensor t) => t.Rank == 1 ? t.Reshape(1, t.Cols) : t;

    private static void Expect(string what, Tensor actual, double[,] expected)
    {
        var check = CheckResult.Compare(what, Matrix(actual), expected, Tolerance);
        Assert.True(check.Passed, $"{what}: relative error {check.MaxRelError:e2} (abs {check.MaxAbsError:e2})");
    }
}
