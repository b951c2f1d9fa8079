namespace TpActors.Layers.Tests.Optimizers;

// The update rules against PyTorch's formulas in float64, and an element's update independent of where it sits.
public sealed class OptimizerTests
{
    private const int Length = 37; // vector lanes and a scalar tail

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.AdamW)]
    public void ThreeSteps_MatchTheReferenceFormulas(OptimizerKind kind)
    {
        var spec = new OptimizerSpec(kind, 0.1f, 0.9f, 0.8f, 0.95f, 1e-6f, 0.05f);
        using var value = Tensor.VectorFrom(Enumerable.Range(0, Length).Select(i => MathF.Sin(i)).ToArray());
        using var gradient = Tensor.ZerosVector(Length);
        using var optimizer = spec.Create(CpuBackend.Create(BackendKind.Managed, 1), [new ParameterShard("w", value, gradient, ShardAxis.Columns)]);
        double[] w = value.ToArray().Select(x => (double)x).ToArray(), m = new double[Length], v = new double[Length];
        for (int step = 1; step <= 3; step++)
        {
            var g = Enumerable.Range(0, Length).Select(i => MathF.Cos(i * step)).ToArray();
            g.CopyTo(gradient.Span);
            optimizer.Step(step);
            for (int i = 0; i < Length; i++)
            {
                if (kind == OptimizerKind.Sgd)
                {
                    double gi = g[i] + spec.WeightDecay * w[i];
                    m[i] = spec.Momentum * m[i] + gi;
                    w[i] -= spec.LearningRate * m[i];
                }
                else
                {
                    w[i] *= 1 - spec.LearningRate * spec.WeightDecay;
                    m[i] = spec.Beta1 * m[i] + (1 - spec.Beta1) * g[i];
                    v[i] = spec.Beta2 * v[i] + (1 - spec.Beta2) * g[i] * g[i];
                    double denominator = Math.Sqrt(v[i]) / Math.Sqrt(1 - Math.Pow(spec.Beta2, step)) + spec.Epsilon;
                    w[i] -= spec.LearningRate / (1 - Math.Pow(spec.Beta1, step)) * m[i] / denominator;
                }
            }
            var actual = value.ToArray();
            for (int i = 0; i < Length; i++) Assert.True(Math.Abs(actual[i] - w[i]) < 1e-5, $"step {step}, element {i}: {actual[i]} vs {w[i]}");
        }
        Assert.Equal(kind == OptimizerKind.Sgd ? ["momentum_buffer"] : ["exp_avg", "exp_avg_sq"], optimizer.SlotNames);
    }

    [Fact]
    public void Schedule_WarmsUp_ThenDecaysByACosineToTheMinimum_AsNanoGptsGetLr()
    {
        var spec = new OptimizerSpec(OptimizerKind.AdamW, 1e-3f, 0.9f, 0.9f, 0.99f, 1e-8f, 0.1f) { WarmupSteps = 100, DecaySteps = 2000, MinLearningRate = 1e-4f };
        // nanoGPT: it < warmup: lr·(it+1)/(warmup+1); it > decay: min; else min + ½(1 + cos(π·(it − warmup)/(decay − warmup)))·(lr − min); it = step − 1.
        double NanoGpt(long it) => it < 100 ? 1e-3 * (it + 1) / 101 : it > 2000 ? 1e-4
            : 1e-4 + 0.5 * (1 + Math.Cos(Math.PI * (it - 100) / 1900.0)) * (1e-3 - 1e-4);
        foreach (long step in new long[] { 1, 2, 50, 100, 101, 102, 500, 1050, 1999, 2000, 2001, 2002, 5000 })
            Assert.Equal(NanoGpt(step - 1), spec.LearningRateAt(step), 1e-9);
        var constant = spec with { WarmupSteps = 0, DecaySteps = 0 };
        Assert.Equal(BitConverter.SingleToInt32Bits(1e-3f), BitConverter.SingleToInt32Bits(constant.LearningRateAt(7)));
        Assert.Contains("--min-lr 0.01 is above --lr 0.001", Assert.Throws<ArgumentException>(() => (spec with { MinLearningRate = 0.01f }).Validate()).Message);
        Assert.Contains("--lr-decay-steps 50 must be after the warm-up's 100 steps", Assert.Throws<ArgumentException>(() => (spec with { DecaySteps = 50 }).Validate()).Message);
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.AdamW)]
    public void WeightDecay_SparesTheParametersTheModelExempts(OptimizerKind kind)
    {
        var spec = new OptimizerSpec(kind, 0.1f, 0.9f, 0.9f, 0.99f, 1e-8f, 0.5f);
        using var weight = Tensor.VectorFrom([1f, -2f]);
        using var bias = Tensor.VectorFrom([1f, -2f]);
        using var weightGrad = Tensor.ZerosVector(2);
        using var biasGrad = Tensor.ZerosVector(2);
        using var optimizer = spec.Create(CpuBackend.Create(BackendKind.Managed, 1),
            [new ParameterShard("h.0.mlp.fc1.weight", weight, weightGrad, ShardAxis.Columns), new ParameterShard("h.0.mlp.fc1.bias", bias, biasGrad, ShardAxis.Columns)],
            name => !name.EndsWith(".bias", StringComparison.Ordinal));
        optimizer.Step(1);
        Assert.Equal([1f, -2f], bias.ToArray());              // zero gradient and no decay: untouched
        Assert.True(Math.Abs(weight.ToArray()[0]) < 1f);       // decayed toward 0
        Assert.False(optimizer.Decays(1));
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.AdamW)]
    public void AnElementsUpdate_DoesNotDependOnItsPositionInTheShard(OptimizerKind kind)
    {
        var spec = new OptimizerSpec(kind, 0.01f, 0.9f, 0.9f, 0.999f, 1e-8f, 0.01f);
        float[] initial = Enumerable.Range(0, Length).Select(i => MathF.Cos(3 * i)).ToArray(), g = initial.Select(x => x * x - 0.3f).ToArray();
        float[] whole = Run(spec, initial, g);
        float[] head = Run(spec, initial[..5], g[..5]), tail = Run(spec, initial[5..], g[5..]); // other lanes, other tail
        Assert.Equal(whole.Select(BitConverter.SingleToInt32Bits), head.Concat(tail).Select(BitConverter.SingleToInt32Bits));
    }

    private static float[] Run(OptimizerSpec spec, float[] values, float[] gradient)
    {
        using var value = Tensor.VectorFrom(values);
        using var grad = Tensor.VectorFrom(gradient);
        using var optimizer = spec.Create(CpuBackend.Create(BackendKind.Managed, 1), [new ParameterShard("w", value, grad, ShardAxis.Columns)]);
        for (int step = 1; step <= 4; step++) optimizer.Step(step);
        return value.ToArray();
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, 37)]
    [InlineData(OptimizerKind.AdamW, 20_003)] // several copy blocks and a tail
    public void StepWithACopy_UpdatesAlike_AndCopiesTheUpdatedState(OptimizerKind kind, int length)
    {
        var spec = new OptimizerSpec(kind, 0.01f, 0.9f, 0.9f, 0.999f, 1e-8f, 0.01f);
        float[] initial = Enumerable.Range(0, length).Select(i => MathF.Sin(i)).ToArray(), g = initial.Select(x => x - 0.1f).ToArray();
        float[] plain = Run(spec, initial, g);
        using var value = Tensor.VectorFrom(initial);
        using var grad = Tensor.VectorFrom(g);
        using var optimizer = spec.Create(CpuBackend.Create(BackendKind.Managed, 1), [new ParameterShard("w", value, grad, ShardAxis.Columns)]);
        var copies = Enumerable.Range(0, 1 + spec.SlotNames.Count).Select(_ => Tensor.ZerosVector(length)).ToArray();
        for (int step = 1; step <= 4; step++) optimizer.Step(step, step == 4 ? [copies] : null);
        Assert.Equal(plain, value.ToArray());
        Assert.Equal(value.ToArray(), copies[0].ToArray());
        for (int slot = 0; slot < spec.SlotNames.Count; slot++) Assert.Equal(optimizer.Slot(0, slot).ToArray(), copies[1 + slot].ToArray());
        foreach (var copy in copies) copy.Dispose();
    }

    [Fact]
    public void SyntheticTask_BatchOfAStep_IsAlwaysTheSame_AndStepsDiffer()
    {
        using var task = new SyntheticTask(new TaskSpec(4, 11, 3), 5);
        var (x1, t1) = task.Batch(7);
        var (x2, t2) = task.Batch(7);
        var (x3, _) = task.Batch(8);
        Assert.Equal(x1.ToArray(), x2.ToArray());
        Assert.Equal(t1.ToArray(), t2.ToArray());
        Assert.NotEqual(x1.ToArray(), x3.ToArray());
        Assert.All(x1.ToArray(), x => Assert.InRange(x, -1f, 1f));
        Assert.NotEqual(x1.ToArray(), t1.ToArray()); // the teacher adds tanh(X·A)·C
    }

    [Fact]
    public void SyntheticTask_ABatchAcrossRow2Pow31_ContinuesTheSameStream()
    {
        // Batch 3 at step 715,827,883 is rows 2^31 − 2, 2^31 − 1 and 2^31; with batch 1, step r + 1 is row r alone.
        using var wide = new SyntheticTask(new TaskSpec(3, 11, 3), 5);
        using var narrow = new SyntheticTask(new TaskSpec(1, 11, 3), 5);
        var (inputs, targets) = wide.Batch(715_827_883);
        for (int i = 0; i < 3; i++)
        {
            var (row, rowTargets) = narrow.Batch(int.MaxValue - 1L + i + 1);
            Assert.Equal(row.ToArray(), inputs.RowBlock(i, 1).Clone().ToArray());
            // The teacher's GEMM over 3 rows and over 1 may round differently in the last bit.
            Assert.All(rowTargets.ToArray().Zip(targets.RowBlock(i, 1).Clone().ToArray()), p => Assert.Equal(p.First, p.Second, 1e-6f));
            row.Dispose();
            rowTargets.Dispose();
        }
        inputs.Dispose();
        targets.Dispose();
    }
}
