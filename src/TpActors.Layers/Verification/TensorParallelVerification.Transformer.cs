using TpActors.Layers.Parallel;
using TpActors.Layers.Ranks;
using TpActors.Layers.Sharding;
using TpActors.Layers.Tensors;
using static TpActors.Layers.Verification.ReferenceMath;

namespace TpActors.Layers.Verification;

public static partial class TensorParallelVerification
{
    // A pre-LN transformer block on sequences of --context tokens: Y and dX, and every parameter's gradient.
    private static async Task CheckBlock(TensorParallelGroup group, VerifyOptions options, List<CheckResult> checks, RankIdentity identity, List<DumpedTensor> dump)
    {
        int tokens = options.Tokens, tp = options.Tp;
        var x = Input(options, "block.x", tokens, options.Hidden);
        var dy = Input(options, "block.dy", tokens, options.Hidden);
        // Under sequence parallelism each rank is given its rows of x and dY (uneven where tp does not divide them).
        Func<int, Tensor> Rows(Tensor full) => rank => options.SequenceParallel
            ? full.RowBlock(Partition.Start(tokens, tp, rank), Partition.Size(tokens, tp, rank)).Clone()
            : full.Clone();
        using var run = await RunLayer(group, "block", options.Block, options.Seed, Rows(x), Rows(dy), identity, rowsSplit: options.SequenceParallel);
        var (weights, parameters) = Weights(run, "block", dump);
        var gradients = new Dictionary<string, double[,]>();
        var (y, dx) = TransformerBlock(ToDouble(x), weights, "block", options.Heads, options.Context, options.Activation, VerifyOptions.LayerNormEpsilon, ToDouble(dy), gradients);

        dump.Insert(0, new DumpedTensor("x", "x", "input", x));
        dump.Add(new DumpedTensor("y", "y", "output", run.Output.Clone()));
        dump.Add(new DumpedTensor("grad.y", "grad.y", "input", dy));
        dump.Add(new DumpedTensor("grad.x", "grad.x", "gradient", run.GradInput.Clone()));
        checks.Add(CheckResult.Compare("block forward Y", run.Output, y, options.Tolerance));
        checks.Add(CheckResult.Compare("block backward dX", run.GradInput, dx!, options.Tolerance));
        CheckGradients(run, "block", parameters, gradients, options, checks, dump);
    }

    // A GPT: each token's loss (the same on every rank), and every parameter's gradient from the mean loss.
    private static async Task CheckGpt(TensorParallelGroup group, VerifyOptions options, List<CheckResult> checks, RankIdentity identity, List<DumpedTensor> dump)
    {
        int tokens = options.Tokens;
        var (ids, targets) = Tokens(options);
        var idsTensor = Tensor.FromArray(ids.Select(i => (float)i).ToArray(), tokens, 1);
        var targetsTensor = Tensor.FromArray(targets.Select(i => (float)i).ToArray(), tokens, 1);
        using var input = Tensor.FromArray(ids.Zip(targets).SelectMany(p => new float[] { p.First, p.Second }).ToArray(), tokens, 2);
        var gradLosses = Tensor.FromArray(Enumerable.Repeat(1f / tokens, tokens).ToArray(), tokens, 1); // the mean loss
        using var run = await RunLayer(group, "gpt", options.Gpt, options.Seed, _ => input.Clone(), _ => gradLosses.Clone(), identity);
        var (weights, parameters) = Weights(run, "gpt", dump);
        var (losses, gradients) = Gpt(ids, targets, weights, "gpt", options.Gpt, Enumerable.Repeat(1.0 / tokens, tokens).ToArray());

        dump.Insert(0, new DumpedTensor("idx", "idx", "input", idsTensor));
        dump.Insert(1, new DumpedTensor("targets", "targets", "input", targetsTensor));
        dump.Add(new DumpedTensor("losses", "losses", "output", run.Output.Clone()));
        dump.Add(new DumpedTensor("grad.losses", "grad.losses", "input", gradLosses));
        var expected = new double[tokens, 1];
        for (int i = 0; i < tokens; i++) expected[i, 0] = losses[i];
        checks.Add(CheckResult.Compare("gpt forward losses", run.Output, expected, options.Tolerance));
        CheckGradients(run, "gpt", parameters, gradients, options, checks, dump);
    }

    // The --batch sequences' token ids and targets, drawn uniformly from the vocabulary by the seed's own stream.
    private static (int[] Ids, int[] Targets) Tokens(VerifyOptions options)
    {
        using var draws = Input(options, "gpt.tokens", options.Tokens, 2);
        float[] values = draws.ToArray();
        int Token(float u) => Math.Min(options.Vocab - 1, (int)((u + 1) / 2 * options.Vocab));
        return (Enumerable.Range(0, options.Tokens).Select(i => Token(values[2 * i])).ToArray(), Enumerable.Range(0, options.Tokens).Select(i => Token(values[2 * i + 1])).ToArray());
    }

    // Every parameter assembled whole: in float64 by its full name for the reference, and for the dump in PyTorch's naming.
    private static (Dictionary<string, double[,]> Weights, List<string> Names) Weights(LayerRun run, string layer, List<DumpedTensor> dump)
    {
        var weights = new Dictionary<string, double[,]>();
        var names = run.ParameterNames.ToList();
        foreach (string name in names)
        {
            var full = run.Full(name);
            weights[name] = ToDouble(full);
            string torchName = name[(layer.Length + 1)..];
            dump.Add(new DumpedTensor(torchName, torchName, "parameter", full, Models.GptModelSpec.IsBlockLinearWeight(torchName)));
        }
        return (weights, names);
    }

    // Each parameter's gradient against the reference's; the attention's key-bias gradient, 0 in exact arithmetic (q·b_k
    // shifts every score of a row alike, which the softmax does not see), is measured against its query-bias sibling's scale.
    private static void CheckGradients(LayerRun run, string layer, List<string> names, Dictionary<string, double[,]> expected, VerifyOptions options,
        List<CheckResult> checks, List<DumpedTensor> dump)
    {
        foreach (string name in names)
        {
            var gradient = run.FullGrad(name);
            string torchName = name[(layer.Length + 1)..];
            double floor = name.EndsWith(".attn.key.bias", StringComparison.Ordinal) ? CheckResult.Scale(expected[name[..^"key.bias".Length] + "query.bias"]) : 0;
            checks.Add(CheckResult.Compare($"{layer} backward {torchName}.grad", Matrix(gradient), expected[name], options.Tolerance, floor));
            dump.Add(new DumpedTensor("grad." + torchName, "grad." + torchName, "gradient", gradient, Models.GptModelSpec.IsBlockLinearWeight(torchName)));
        }
    }

    private static Tensor Matrix(Tensor t) => t.Rank == 1 ? t.Reshape(1, t.Cols) : t;
}
