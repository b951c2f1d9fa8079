using TpActors.Layers.Tensors;

namespace TpActors.Layers.Verification;

public static partial class ReferenceMath
{
    /// <summary>
    /// A pre-LN transformer block in float64, h = x + Attn(LN₁(x)), y = h + MLP(LN₂(h)), with its weights by full name
    /// ("<paramref name="name"/>.ln_1.weight", ".attn.query.weight", …, ".mlp.fc2.bias"; biases absent without bias). With
    /// <paramref name="dy"/>, also backward: every weight's gradient into <paramref name="gradients"/> (by name) and dx.
    /// </summary>
    public static (double[,] Y, double[,]? Dx) TransformerBlock(double[,] x, IReadOnlyDictionary<string, double[,]> w, string name, int heads, int sequenceLength,
        Activation activation, double epsilon, double[,]? dy = null, IDictionary<string, double[,]>? gradients = null)
    {
        double[,]? Optional(string suffix) => w.TryGetValue($"{name}.{suffix}", out var value) ? value : null;
        double[,] Weight(string suffix) => w[$"{name}.{suffix}"];
        var attention = new AttentionWeights(Weight("attn.query.weight"), Optional("attn.query.bias"), Weight("attn.key.weight"), Optional("attn.key.bias"),
            Weight("attn.value.weight"), Optional("attn.value.bias"), Weight("attn.proj.weight"), Optional("attn.proj.bias"));
        var normalized1 = LayerNorm(x, Weight("ln_1.weight"), Weight("ln_1.bias"), epsilon);
        var (attended, _) = Attention(normalized1, attention, heads, sequenceLength, new double[x.GetLength(0), x.GetLength(1)]);
        var h = Sum(x, attended);
        var normalized2 = LayerNorm(h, Weight("ln_2.weight"), Weight("ln_2.bias"), epsilon);
        var preActivation = AddBias(MatMul(normalized2, Weight("mlp.fc1.weight")), Optional("mlp.fc1.bias"));
        var activated = Activate(activation, preActivation);
        var y = Sum(h, AddBias(MatMul(activated, Weight("mlp.fc2.weight")), Optional("mlp.fc2.bias")));
        if (dy is null) return (y, null);

        var grads = gradients ?? new Dictionary<string, double[,]>();
        void Put(string suffix, double[,]? value) { if (value is not null) grads[$"{name}.{suffix}"] = value; }
        var dPre = ActivateBackward(activation, preActivation, MatMul(dy, Weight("mlp.fc2.weight"), transposeB: true));
        Put("mlp.fc2.weight", MatMul(activated, dy, transposeA: true));
        if (Optional("mlp.fc2.bias") is not null) Put("mlp.fc2.bias", ColumnSums(dy));
        Put("mlp.fc1.weight", MatMul(normalized2, dPre, transposeA: true));
        if (Optional("mlp.fc1.bias") is not null) Put("mlp.fc1.bias", ColumnSums(dPre));
        var (dhNorm, dGamma2, dBeta2) = LayerNormBackward(h, Weight("ln_2.weight"), MatMul(dPre, Weight("mlp.fc1.weight"), transposeB: true), epsilon);
        Put("ln_2.weight", dGamma2);
        Put("ln_2.bias", dBeta2);
        var dh = Sum(dy, dhNorm);
        var (_, a) = Attention(normalized1, attention, heads, sequenceLength, dh);
        foreach (var (suffix, value) in new[] { ("query.weight", a.Query), ("query.bias", a.QueryBias), ("key.weight", a.Key), ("key.bias", a.KeyBias),
            ("value.weight", a.Value), ("value.bias", a.ValueBias), ("proj.weight", a.Output), ("proj.bias", a.OutputBias) })
            Put("attn." + suffix, value);
        var (dxNorm, dGamma1, dBeta1) = LayerNormBackward(x, Weight("ln_1.weight"), a.Input, epsilon);
        Put("ln_1.weight", dGamma1);
        Put("ln_1.bias", dBeta1);
        return (y, Sum(dh, dxNorm));
    }

    /// <summary>
    /// A GPT in float64 (<see cref="Parallel.ParallelGpt"/>'s math on the full weights, by name under
    /// "<paramref name="name"/>."): each row's loss for <paramref name="ids"/> and <paramref name="targets"/>, and, from the
    /// rows' loss gradients <paramref name="dLoss"/>, every weight's gradient by name.
    /// </summary>
    public static (double[] Losses, Dictionary<string, double[,]> Gradients) Gpt(IReadOnlyList<int> ids, IReadOnlyList<int> targets,
        IReadOnlyDictionary<string, double[,]> w, string name, Parallel.GptSpec spec, double[] dLoss)
    {
        int rows = ids.Count, hidden = spec.Hidden;
        var tokenTable = w[$"{name}.wte.weight"];
        var positionTable = w[$"{name}.wpe.weight"];
        var x = new double[rows, hidden];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < hidden; j++) x[i, j] = tokenTable[ids[i], j] + positionTable[i % spec.Context, j];
        var inputs = new List<double[,]>();
        for (int l = 0; l < spec.Layers; l++)
        {
            inputs.Add(x);
            x = TransformerBlock(x, w, $"{name}.h.{l}", spec.Heads, spec.Context, spec.Activation, spec.Epsilon).Y;
        }
        var normalized = LayerNorm(x, w[$"{name}.ln_f.weight"], w[$"{name}.ln_f.bias"], spec.Epsilon);
        var head = spec.TieWeights ? tokenTable : w[$"{name}.lm_head.weight"];
        var (losses, dLogits) = CrossEntropyRows(MatMul(normalized, head, transposeB: true), targets, spec.LabelSmoothing, dLoss);

        var gradients = new Dictionary<string, double[,]>();
        var dHead = MatMul(dLogits, normalized, transposeA: true);                 // [vocab, hidden]
        var (dx, dGamma, dBeta) = LayerNormBackward(x, w[$"{name}.ln_f.weight"], MatMul(dLogits, head), spec.Epsilon);
        gradients[$"{name}.ln_f.weight"] = dGamma;
        gradients[$"{name}.ln_f.bias"] = dBeta;
        for (int l = spec.Layers - 1; l >= 0; l--)
            dx = TransformerBlock(inputs[l], w, $"{name}.h.{l}", spec.Heads, spec.Context, spec.Activation, spec.Epsilon, dx, gradients).Dx!;
        var dTokens = spec.TieWeights ? dHead : new double[tokenTable.GetLength(0), hidden];
        if (!spec.TieWeights) gradients[$"{name}.lm_head.weight"] = dHead;
        var dPositions = new double[positionTable.GetLength(0), hidden];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < hidden; j++)
            {
                dTokens[ids[i], j] += dx[i, j];
                dPositions[i % spec.Context, j] += dx[i, j];
            }
        gradients[$"{name}.wte.weight"] = dTokens;
        gradients[$"{name}.wpe.weight"] = dPositions;
        return (losses, gradients);
    }

    /// <summary>
    /// Each row's cross-entropy of logits [N, V] against its target with label smoothing ε, (1 − ε)·(−log p[target]) +
    /// ε·mean over the vocabulary of (−log p), and dLogits for the rows' loss gradients <paramref name="dLoss"/>.
    /// </summary>
    public static (double[] Losses, double[,] DLogits) CrossEntropyRows(double[,] logits, IReadOnlyList<int> targets, double smoothing, double[] dLoss)
    {
        int rows = logits.GetLength(0), vocabulary = logits.GetLength(1);
        var losses = new double[rows];
        var dLogits = new double[rows, vocabulary];
        for (int i = 0; i < rows; i++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < vocabulary; j++) max = Math.Max(max, logits[i, j]);
            for (int j = 0; j < vocabulary; j++) sum += Math.Exp(logits[i, j] - max);
            double logZ = max + Math.Log(sum), meanNll = 0;
            for (int j = 0; j < vocabulary; j++) meanNll += (logZ - logits[i, j]) / vocabulary;
            losses[i] = (1 - smoothing) * (logZ - logits[i, targets[i]]) + smoothing * meanNll;
            for (int j = 0; j < vocabulary; j++)
                dLogits[i, j] = dLoss[i] * (Math.Exp(logits[i, j] - logZ) - (1 - smoothing) * (j == targets[i] ? 1 : 0) - smoothing / vocabulary);
        }
        return (losses, dLogits);
    }
}
