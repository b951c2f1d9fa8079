using TpActors.Host.Bench;
using System.Text.Json;

namespace TpActors.Host.Tests.Commands;

// verify --model linear|mlp|block|gpt: transformer checks at any tp, bad sizes refused before anything starts, dumps that
// a plain PyTorch model loads and agrees with.
public sealed class VerifyModelTests
{
    [Fact]
    public void TheIssuesGpt_WithUnevenHeadsVocabularyAndSequence_PassesEveryCheck()
    {
        var result = CliRunner.Run("verify", "--model", "gpt", "--tp", "3", "--hidden", "40", "--heads", "5", "--vocab", "67", "--context", "11", "--sequence-parallel");
        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        Assert.Contains("tpactors verify: gpt, tp 3", result.Out);
        foreach (var check in new[] { "gpt forward losses", "gpt backward wte.weight.grad", "gpt backward h.1.attn.key.weight.grad", "gpt backward lm_head.weight.grad", "gpt backward ln_f.bias.grad" })
            Assert.Contains(check, result.Out);
        Assert.Contains("PASSED: 39 of 39 checks passed", result.Out);
    }

    [Theory]
    [InlineData("--model", "block", "--tp", "1", "--heads", "3", "--hidden", "12")]
    [InlineData("--model", "block", "--tp", "4", "--heads", "6", "--hidden", "12", "--sequence-parallel")]
    [InlineData("--model", "gpt", "--tp", "2", "--heads", "2", "--tie-weights", "--label-smoothing", "0.1")]
    [InlineData("--model", "gpt", "--tp", "7", "--heads", "7", "--hidden", "14", "--vocab", "9", "--context", "3", "--sequence-parallel", "--bias", "false")]
    [InlineData("--model", "linear")]
    [InlineData("--model", "mlp", "--tp", "3")]
    public void EveryModel_PassesAtUnevenSplits(params string[] args)
    {
        var result = CliRunner.Run(["verify", "--json", .. args]);
        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        using var json = JsonDocument.Parse(result.Out);
        Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal(args[1], json.RootElement.GetProperty("model").GetString());
    }

    [Theory]
    [InlineData("--model block --hidden 10 --heads 4", "The hidden size 10 is not divisible by 4 heads")]
    [InlineData("--model gpt --heads 0", "--heads 0: must be at least 1")]
    [InlineData("--model gpt --vocab 0", "--vocab 0: must be at least 1")]
    [InlineData("--model block --context 0", "--context 0: must be at least 1")]
    [InlineData("--model gpt --tp 8 --heads 4 --hidden 16", "Tensor parallelism of 8 is more than the 4 heads")]
    [InlineData("--model gpt --tp 5 --heads 5 --hidden 10 --vocab 3", "Tensor parallelism of 5 is more than the 3 tokens of the vocabulary")]
    [InlineData("--model mlp --sequence-parallel", "--sequence-parallel applies to --model block or gpt, not mlp")]
    [InlineData("--model gpt --label-smoothing 1", "--label-smoothing 1: must be at least 0, less than 1")]
    [InlineData("--model bert", "bert")]
    public void SizesThatCannotSplit_AreAUsageError_InOneSentence_BeforeAnythingStarts(string args, string expected)
    {
        var result = CliRunner.Run(["verify", .. args.Split(' ')]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.DoesNotContain("backend:", result.Out);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public void ADump_HasAManifest_NamingEveryTensorAsPyTorchDoes()
    {
        using var directory = new TempDirectory();
        var result = CliRunner.Run("verify", "--model", "gpt", "--tp", "2", "--heads", "2", "--layers", "1", "--dump", directory.Path);
        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory.Path, "manifest.json")));
        var tensors = manifest.RootElement.GetProperty("tensors").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => (File: t.GetProperty("file").GetString()!, Transposed: t.GetProperty("transposed").GetBoolean()));
        foreach (var name in new[] { "idx", "targets", "wte.weight", "wpe.weight", "h.0.ln_1.weight", "h.0.attn.query.weight", "h.0.mlp.fc2.bias", "ln_f.weight", "lm_head.weight",
            "losses", "grad.losses", "grad.wte.weight", "grad.h.0.attn.proj.weight" })
        {
            Assert.True(tensors.ContainsKey(name), $"{name} is not in the manifest");
            Assert.True(File.Exists(Path.Combine(directory.Path, tensors[name].File)), $"{tensors[name].File} was not written");
        }
        Assert.True(tensors["h.0.attn.query.weight"].Transposed);  // an nn.Linear weight, kept [in, out]
        Assert.False(tensors["wte.weight"].Transposed);            // an nn.Embedding's, [vocab, hidden] as in PyTorch
        Assert.Equal(67, manifest.RootElement.GetProperty("config").GetProperty("vocab").GetInt32());
    }

    // The dumps of verify --model gpt at tp 1, 2, 3 (uneven heads, vocabulary and sequence; tied and smoothed, with and
    // without sequence parallelism) fed into a plain PyTorch model (tests/pytorch/gpt_check.py): losses and every gradient agree.
    [TorchTheory]
    [InlineData("1", "--heads", "3", "--hidden", "24")]
    [InlineData("2", "--heads", "3", "--hidden", "24", "--tie-weights", "--label-smoothing", "0.1")]
    [InlineData("3", "--heads", "5", "--hidden", "40", "--sequence-parallel", "--label-smoothing", "0.05")]
    [InlineData("3", "--heads", "4", "--hidden", "32", "--tie-weights", "--activation", "gelu-tanh")]
    public void APlainPyTorchModel_LoadsTheDump_AndAgrees(string tp, params string[] args)
    {
        using var directory = new TempDirectory();
        var result = CliRunner.Run(["verify", "--model", "gpt", "--tp", tp, "--vocab", "67", "--context", "11", "--batch", "3", .. args, "--dump", directory.Path]);
        Assert.True(result.ExitCode == 0, result.Out + result.Error);

        string script = RepositoryRoot.File("tests/pytorch/gpt_check.py");
        var (code, output, error) = PyTorchPeer.Run([script, directory.Path, "--tolerance", "1e-4"], TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"PyTorch disagrees (exit {code}): {output}\n{error}");
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
        var checks = json.RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("losses", checks);
        Assert.Contains("grad.h.1.attn.value.weight", checks);
        Assert.Contains("grad.wte.weight", checks);
    }
}
