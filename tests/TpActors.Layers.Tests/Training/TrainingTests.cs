namespace TpActors.Layers.Tests.Training;

// The model and task learn, the TP sizes agree, and a run is a pure function of its options.
public sealed class TrainingTests
{
    [Theory]
    [InlineData("adamw")]
    [InlineData("sgd")]
    public async Task LossDecreases_OnTheSyntheticTask(string optimizer)
    {
        var result = await TrainingRuns.Run(TrainingRuns.Options(2, 60, optimizer == "sgd" ? TrainingRuns.Sgd : TrainingRuns.AdamW));
        Assert.Equal(60, result.Losses.Count);
        double first = result.Losses.Take(5).Average(), last = result.Losses.TakeLast(5).Average();
        Assert.True(last < 0.5 * first, $"the loss fell from {first:0.0000} (mean of the first 5 steps) only to {last:0.0000} (last 5)");
        Assert.Empty(result.Recoveries);
    }

    [Fact]
    public async Task TpSizes_1_2_3_Agree_WithinFloat32Tolerance()
    {
        var tp1 = await TrainingRuns.Run(TrainingRuns.Options(1, 12));
        var tp2 = await TrainingRuns.Run(TrainingRuns.Options(2, 12));
        var tp3 = await TrainingRuns.Run(TrainingRuns.Options(3, 12));
        foreach (var other in new[] { tp2, tp3 })
        {
            float difference = TrainingRuns.MaxDifference(tp1.FinalState!, other.FinalState!);
            Assert.True(difference < 1e-4f, $"the weights and optimizer state differ from TP=1 by up to {difference}");
            for (int s = 0; s < tp1.Losses.Count; s++)
                Assert.True(Math.Abs(tp1.Losses[s] - other.Losses[s]) <= 1e-5 * Math.Max(1, tp1.Losses[s]), $"step {s + 1}: loss {other.Losses[s]} vs {tp1.Losses[s]} at TP=1");
        }
    }

    [Fact]
    public async Task TwoRuns_AreBitIdentical()
    {
        var first = await TrainingRuns.Run(TrainingRuns.Options(3, 8, TrainingRuns.Sgd));
        var second = await TrainingRuns.Run(TrainingRuns.Options(3, 8, TrainingRuns.Sgd));
        Assert.Equal(first.WeightsSha256, second.WeightsSha256);
        Assert.True(TrainingRuns.BitIdentical(first.FinalState!, second.FinalState!));
        Assert.Equal(first.Losses, second.Losses);
    }

    [Fact]
    public async Task DigestCoversTheWeights_NotTheOptimizerState()
    {
        var result = await TrainingRuns.Run(TrainingRuns.Options(2, 3));
        var weights = result.FinalState!.Where(t => !TrainingRuns.AdamW.IsSlot(t.Key)).Select(t => (t.Key, t.Value));
        Assert.Equal(WeightsDigest.Of(weights), result.WeightsSha256);
        Assert.Contains("blocks.1.fc2.weight.exp_avg_sq", result.FinalState!.Keys);
        var untrained = await TrainingRuns.Run(TrainingRuns.Options(2, 0));
        Assert.NotEqual(untrained.WeightsSha256, result.WeightsSha256);
        Assert.Empty(untrained.Losses);
    }

    [Fact]
    public async Task BadOptions_AreRefused_WithWhatIsWrong()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => TrainingRuns.Run(TrainingRuns.Options(2, 5, null, new FaultSpec(2, 1, TrainingPhase.Forward, FaultKind.Throw))));
        Assert.Contains("rank 2 does not exist with --tp 2", error.Message);
        error = await Assert.ThrowsAsync<ArgumentException>(() => TrainingRuns.Run(TrainingRuns.Options(2, 5, null, new FaultSpec(0, 1, TrainingPhase.Checkpoint, FaultKind.Throw))));
        Assert.Contains("no checkpoint phase without --checkpoint-dir", error.Message);
        error = await Assert.ThrowsAsync<ArgumentException>(() => TrainingRuns.Run(TrainingRuns.Options(0, 5)));
        Assert.Contains("--tp", error.Message);
    }
}
