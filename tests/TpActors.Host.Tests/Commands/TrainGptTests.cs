using System.Text.Json;

namespace TpActors.Host.Tests.Commands;

// `tpactors train --model gpt` on a small text: validation losses, the summary's figures, faults recovered to the
// fault-free digest, and bad input refused before anything starts.
public sealed class TrainGptTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _text;

    public TrainGptTests() =>
        _text = _dir.Write("text.txt", string.Concat(Enumerable.Range(0, 400).Select(i => $"the quick brown fox {i % 7} jumps over the lazy dog {i % 5}.\n")));

    private string[] Small => With();

    // The small GPT's command line, each of `changes` (option value pairs) in place of its value there, or added.
    private string[] With(params string[] changes)
    {
        var options = new List<string> { "--data", _text, "--layers", "1", "--hidden", "32", "--heads", "4", "--context", "16", "--batch", "4" };
        for (int i = 0; i < changes.Length; i += 2)
        {
            int at = options.IndexOf(changes[i]);
            if (at >= 0) options[at + 1] = changes[i + 1];
            else options.AddRange([changes[i], changes[i + 1]]);
        }
        return ["train", "--model", "gpt", .. options, "-D", "tpactors.tensors.backend=managed"];
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Trains_ReportingValidationLosses_BitsPerCharacter_AndTheSplit()
    {
        var result = CliRunner.Run([.. Small, "--tp", "3", "--steps", "30", "--eval-every", "10", "--eval-batches", "2", "--json"]);
        Assert.True(result.ExitCode == 0, result.Error);
        var run = JsonDocument.Parse(result.Out).RootElement;
        var validation = run.GetProperty("validation").EnumerateArray().ToList();
        Assert.Equal([10, 20, 30], validation.Select(v => v.GetProperty("step").GetInt64()));
        var data = run.GetProperty("data");
        int vocab = data.GetProperty("vocab").GetInt32();
        Assert.Equal(26 + 7 + 3, vocab); // a pangram's letters, the digits 0-6, space, full stop and newline
        Assert.Equal(data.GetProperty("tokens").GetInt64(), data.GetProperty("train_tokens").GetInt64() + data.GetProperty("validation_tokens").GetInt64());
        Assert.Equal(data.GetProperty("tokens").GetInt64() / 10, data.GetProperty("validation_tokens").GetInt64());
        // It learns: the held-out loss falls from about ln(vocab) toward the text's own statistics.
        double first = validation[0].GetProperty("loss").GetDouble(), last = validation[^1].GetProperty("loss").GetDouble();
        Assert.True(last < first && first < Math.Log(vocab) + 0.5, $"validation {first} → {last}, ln vocab {Math.Log(vocab)}");
        Assert.Equal(last / Math.Log(2), run.GetProperty("bits_per_character").GetDouble(), 5); // char tokens: one per character
        Assert.True(run.GetProperty("tokens_per_second").GetDouble() > 0);
        Assert.Contains("step 20: validation loss", result.Error);
    }

    [Fact]
    public void WithFaults_InTrainingAndInEvaluation_EndsWithTheFaultFreeDigest()
    {
        string[] run = [.. Small, "--tp", "2", "--steps", "12", "--eval-every", "6", "--eval-batches", "1", "--sequence-parallel", "--label-smoothing", "0.1"];
        var clean = CliRunner.Run(run);
        var faulty = CliRunner.Run([.. run, "--fault", "1:5:backward", "--fault", "0:6:evaluate"]);
        Assert.True(clean.ExitCode == 0, clean.Error);
        Assert.True(faulty.ExitCode == 0, faulty.Error);
        string Line(string output, string start) => output.Split('\n').Single(l => l.StartsWith(start, StringComparison.Ordinal));
        Assert.Equal(Line(clean.Out, "weights sha256: "), Line(faulty.Out, "weights sha256: "));
        Assert.Equal(Line(clean.Out, "validation: "), Line(faulty.Out, "validation: "));
        Assert.Contains("recoveries: 2", faulty.Out);
        Assert.Contains("rank 0, step 6, evaluate: threw: injected fault", faulty.Out);
        Assert.Contains("bits/char", clean.Out);
        Assert.Contains("unigram entropy", clean.Out);
    }

    [Fact]
    public void UnevenHeads_WithSequenceParallelismAndClipping_MatchTheSingleRankRun()
    {
        // 4 heads over 3 ranks (2, 1, 1); the clipping norm must count every shard once and each replicated parameter once.
        var result = CliRunner.Run([.. Small, "--tp", "3", "--steps", "10", "--sequence-parallel", "--grad-clip", "0.5", "--warmup-steps", "3",
            "--lr-decay-steps", "8", "--check", "--check-tolerance", "1e-4"]);
        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        Assert.Contains("check:", result.Out);
    }

    [Fact]
    public void ACheckpoint_ReshardsItsHeads_ToAnotherTp()
    {
        string checkpoints = _dir.File("ckpt");
        var saved = CliRunner.Run([.. Small, "--tp", "2", "--steps", "6", "--eval-batches", "0", "--checkpoint-dir", checkpoints]);
        Assert.True(saved.ExitCode == 0, saved.Error);
        // Heads 2+2 at tp 2 become 2+1+1 at tp 3: the attention's columns are cut by whole heads, not evenly by columns.
        var resumed = CliRunner.Run("train", "--resume", checkpoints, "--tp", "3", "--steps", "6", "-D", "tpactors.tensors.backend=managed");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        string Digest(string output) => output.Split('\n').Single(l => l.StartsWith("weights sha256: ", StringComparison.Ordinal));
        Assert.Equal(Digest(saved.Out), Digest(resumed.Out));
        Assert.Contains("tp 2 → 3, resharded", resumed.Out);
        var further = CliRunner.Run("train", "--resume", checkpoints, "--tp", "3", "--steps", "9", "-D", "tpactors.tensors.backend=managed");
        Assert.True(further.ExitCode == 0, further.Error);
        Assert.Contains("steps:      7…9", further.Out);
    }

    [Fact]
    public void BadText_IsNamed_AndNothingStarts()
    {
        _dir.Write("empty.txt", "");
        File.WriteAllBytes(_dir.File("binary.bin"), [0x7F, 0x45, 0x4C, 0x46, 0, 1]);
        _dir.Write("short.txt", "a few words\n");
        Directory.CreateDirectory(_dir.File("nothing"));
        foreach (var (data, expected) in new[]
        {
            (_dir.File("empty.txt"), "empty.txt: the text is empty"),
            (_dir.File("binary.bin"), "binary.bin: byte 4 is NUL: it is a binary file, not text; --data takes UTF-8 text."),
            (_dir.File("short.txt"), "short.txt: its training part is 11 tokens (char), shorter than one window of the context 16 + 1"),
            (_dir.File("nothing"), "nothing: the directory holds no files"),
            (_dir.File("missing"), "--data " + _dir.File("missing") + ": no such file or directory."),
        })
        {
            var result = CliRunner.Run([.. With("--data", data), "--steps", "2"]);
            Assert.True(result.ExitCode is 1 or 2, $"{data}: exit {result.ExitCode}: {result.Error}");
            Assert.Contains(expected, result.Error);
            Assert.DoesNotContain("step 1", result.Error);
        }
    }

    [Theory]
    [InlineData("--ffn 64", "--ffn sizes the residual MLP stack; a GPT's MLP is 4 × --hidden wide.")]
    [InlineData("--heads 5", "The hidden size 32 is not divisible by 5 heads")]
    [InlineData("--tp 8", "Tensor parallelism of 8 is more than the 4 heads")]
    [InlineData("--context 0", "--context 0: must be at least 1")]
    [InlineData("--fault 0:3:evaluate", "step 3 is not evaluated")]
    public void BadSizes_AreUsageErrors(string options, string expected)
    {
        var result = CliRunner.Run([.. With(options.Split(' ')), "--steps", "4"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
    }

    [Fact]
    public void WithoutTheDefaultText_SaysWhatToInstall()
    {
        var result = CliRunner.Run("train", "--model", "gpt", "--steps", "1", "-D", "tpactors.training.gpt.data=" + _dir.File("no-fortunes"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is absent: install Debian's fortunes package (apt-get install fortunes), or pass --data FILE|DIR", result.Error);
    }

    [Fact]
    public void GptOptions_OnTheMlpStack_AreUsageErrors()
    {
        var result = CliRunner.Run("train", "--heads", "4", "--steps", "1");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--heads sizes a GPT; the run's model is the residual MLP stack", result.Error);
    }
}
