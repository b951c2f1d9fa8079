namespace TpActors.Host.Tests.Commands;

// `tpactors sample` on a small GPT trained here: deterministic for a seed at any tp, streamed, and bad input refused.
public sealed class SampleCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _checkpoint;

    public SampleCommandTests()
    {
        string text = _dir.Write("text.txt", string.Concat(Enumerable.Range(0, 300).Select(i => $"the cat sat on the mat {i % 9}.\n")));
        _checkpoint = _dir.File("ckpt");
        var trained = CliRunner.Run("train", "--model", "gpt", "--data", text, "--tp", "2", "--layers", "2", "--hidden", "32", "--heads", "4",
            "--context", "16", "--batch", "8", "--steps", "200", "--lr", "3e-3", "--warmup-steps", "0", "--lr-decay-steps", "0", "--eval-batches", "0",
            "--checkpoint-dir", _checkpoint,
            "-D", "tpactors.tensors.backend=managed");
        Assert.True(trained.ExitCode == 0, trained.Error);
    }

    public void Dispose() => _dir.Dispose();

    private CliRunner.Result Sample(params string[] args) => CliRunner.Run(["sample", "--resume", _checkpoint, .. args, "-D", "tpactors.tensors.backend=managed"]);

    [Fact]
    public void TheSameSeed_GivesTheSameText_AtAnyTp_PastTheContext()
    {
        // 40 tokens past a 16-token context: the window slides (its last half decoded again) twice or more.
        var atTwo = Sample("--prompt", "the cat", "--tokens", "40", "--seed", "7");
        var atThree = Sample("--prompt", "the cat", "--tokens", "40", "--seed", "7", "--tp", "3");
        var atOne = Sample("--prompt", "the cat", "--tokens", "40", "--seed", "7", "--tp", "1");
        Assert.True(atTwo.ExitCode == 0, atTwo.Error);
        Assert.True(atThree.ExitCode == 0, atThree.Error);
        Assert.StartsWith("the cat", atTwo.Out);
        Assert.Equal("the cat".Length + 40 + 1, atTwo.Out.Length); // one character per char token, and the final newline
        Assert.Equal(atTwo.Out, atThree.Out);
        Assert.Equal(atTwo.Out, atOne.Out);
        Assert.Contains("sample: 40 tokens in", atTwo.Error);
        Assert.NotEqual(atTwo.Out, Sample("--prompt", "the cat", "--tokens", "40", "--seed", "8").Out);
        // It learned the text: mostly its words.
        var words = atTwo.Out.Split([' ', '\n', '.'], StringSplitOptions.RemoveEmptyEntries);
        Assert.True(words.Count(w => w is "the" or "cat" or "sat" or "on" or "mat" || int.TryParse(w, out _)) >= words.Length / 2, atTwo.Out);
    }

    [Theory]
    [InlineData(new[] { "--tokens", "0" }, 2, "--tokens 0: must be 1 to 1000000")]
    [InlineData(new[] { "--temperature", "0" }, 2, "--temperature 0: must be more than 0")]
    [InlineData(new[] { "--temperature", "-1" }, 2, "--temperature -1: must be more than 0")]
    [InlineData(new[] { "--prompt", "the Cat" }, 2, "--prompt: the character 'C' (U+0043) at 1:5 is not in the vocabulary")]
    [InlineData(new[] { "--context", "17" }, 2, "--context 17: the checkpoint's GPT was trained on a context of 16 tokens")]
    [InlineData(new[] { "--tp", "5" }, 2, "Tensor parallelism of 5 is more than the 4 heads")]
    public void BadInput_IsRefused_InOneSentence(string[] args, int exitCode, string expected)
    {
        var result = Sample(args);
        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public void AnMlpCheckpoint_IsNotAGpt()
    {
        string mlp = _dir.File("mlp");
        Assert.Equal(0, CliRunner.Run("train", "--steps", "2", "--checkpoint-dir", mlp).ExitCode);
        var result = CliRunner.Run("sample", "--resume", mlp, "--tokens", "5");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("holds a mlp-stack", result.Error);
        Assert.Contains("sample needs a GPT checkpoint (train --model gpt)", result.Error);
    }
}
