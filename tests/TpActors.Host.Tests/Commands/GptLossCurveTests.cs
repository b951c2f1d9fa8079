using TpActors.Host.Bench;
using System.Text.Json;

namespace TpActors.Host.Tests.Commands;

// `train --model gpt` beside plain PyTorch: the same initial weights (the run's step-0 checkpoint, exported), the same
// batches (drawn from the run's token file as TpActors draws them), the same AdamW, schedule and clipping; 30 steps'
// losses agree to 1e-4 relative at tp 1, 2 and 3, with and without sequence parallelism, char and gpt2 tokens.
public sealed class GptLossCurveTests
{
    private const int Steps = 30;

    [TorchTheory]
    [InlineData(1, false, "char")]
    [InlineData(2, false, "char")]
    [InlineData(2, true, "char")]
    [InlineData(3, false, "char")]
    [InlineData(3, true, "char")]
    [InlineData(1, false, "gpt2")]
    [InlineData(2, true, "gpt2")]
    [InlineData(3, false, "gpt2")]
    public void TheLossCurve_IsPyTorchs(int tp, bool sequenceParallel, string tokenizer)
    {
        using var dir = new TempDirectory();
        string text = dir.Write("text.txt", string.Concat(Enumerable.Range(0, 300).Select(i =>
            $"Fortune {i}: the early bird gets the worm, but the second mouse gets the cheese ({i % 11}).\n")));
        string checkpoints = dir.File("ckpt");
        // 4 heads (uneven over 3 ranks), tied embeddings and label smoothing at tp 3; warm-up, decay and clipping all act within 30 steps.
        string[] run = ["train", "--model", "gpt", "--data", text, "--tokenizer", tokenizer, "--tp", tp.ToString(), "--layers", "2", "--hidden", "32",
            "--heads", "4", "--context", "16", "--batch", "4", "--warmup-steps", "5", "--lr-decay-steps", "25",
            "--min-lr", "1e-4", "--lr", "3e-3", "--grad-clip", "0.5", "--eval-batches", "0", "--json", .. (sequenceParallel ? new[] { "--sequence-parallel" } : []), .. (tp == 3 ? new[] { "--tie-embeddings", "--label-smoothing", "0.1" } : [])];
        var initial = CliRunner.Run([.. run.Where(a => a != "--json"), "--steps", "0", "--checkpoint-dir", checkpoints]); // the same seed's initial weights, as step 0
        Assert.True(initial.ExitCode == 0, initial.Error);
        var trained = CliRunner.Run([.. run, "--steps", Steps.ToString()]);
        Assert.True(trained.ExitCode == 0, trained.Error);
        var summary = JsonDocument.Parse(trained.Out).RootElement;
        double[] ours = summary.GetProperty("losses").EnumerateArray().Select(l => l.GetDouble()).ToArray();
        string tokens = summary.GetProperty("data").GetProperty("token_file").GetString()!;

        string init = dir.File("init.safetensors");
        var exported = CliRunner.Run("checkpoint", "export", checkpoints, "--step", "0", "--out", init);
        Assert.True(exported.ExitCode == 0, exported.Error);

        // tests/pytorch/gpt_train.py, as the bench runs it (embedded in the program).
        double[] theirs = PyTorchPeer.Train(init, tokens, Steps, threads: 1).Losses;

        Assert.Equal(Steps, ours.Length);
        Assert.Equal(Steps, theirs.Length);
        for (int s = 0; s < Steps; s++)
            Assert.True(Math.Abs(ours[s] - theirs[s]) <= 1e-4 * Math.Abs(theirs[s]), $"step {s + 1}: TpActors {ours[s]:R}, PyTorch {theirs[s]:R}");
        Assert.True(ours[^1] < ours[0] - 0.3, $"it learns: {ours[0]} → {ours[^1]}");
    }
}
