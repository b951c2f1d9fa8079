using System.Text.Json;
using TpActors.Layers.Tensors;

namespace TpActors.Host.Tests.Commands;

public sealed class VerifyCommandTests
{
    [Fact]
    public void Defaults_PassEveryCheck_AndPrintTheTableBackendAndWallTime()
    {
        var result = CliRunner.Run("verify");
        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        Assert.Contains("tp 4, batch 4, hidden 8, ffn 32, gelu", result.Out);
        Assert.Contains("backend: ", result.Out);
        Assert.Contains("thread", result.Out);
        foreach (var check in new[] { "column forward Y", "column backward dW", "row forward Y", "row backward dX", "mlp forward Y", "mlp backward db2", "replicas bit-identical" })
            Assert.Contains(check, result.Out);
        Assert.Contains("PASSED: 15 of 15 checks passed; wall time", result.Out);
    }

    [Theory]
    [InlineData("--tp", "3", "--hidden", "10", "--ffn", "22", "--batch", "5")]
    [InlineData("--tp", "1")]
    [InlineData("--tp", "7", "--hidden", "5", "--ffn", "3", "--activation", "relu")]
    [InlineData("--tp", "16", "--hidden", "17", "--ffn", "40", "--bias", "false")]
    [InlineData("--tp", "2", "-D", "tpactors.tensors.backend=managed")]
    public void AnyTpAndSizesNotDivisibleByIt_Pass(params string[] args)
    {
        var result = CliRunner.Run(["verify", .. args]);
        Assert.True(result.ExitCode == 0, result.Out + result.Error);
        Assert.Contains("PASSED", result.Out);
    }

    [Fact]
    public void Json_IsOneObject_WithTheChecks()
    {
        var result = CliRunner.Run("verify", "--json", "--tp", "2", "--bias", "false");
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.True(root.GetProperty("passed").GetBoolean());
        Assert.Equal(2, root.GetProperty("tp").GetInt32());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("backend").GetString()));
        Assert.Contains("× 2 ranks", result.Out); // text as itself, not \u00D7
        var checks = root.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(11, checks.Count); // no bias: no db checks
        foreach (var check in checks)
        {
            foreach (var field in new[] { "name", "max_abs_error", "max_rel_error", "tolerance", "passed" }) Assert.True(check.TryGetProperty(field, out _), field);
            Assert.True(check.GetProperty("passed").GetBoolean());
        }
    }

    [Fact]
    public void Dump_WritesTheMlpAsNpyFiles_FromWhichTheOutputAndGradientsRecompute()
    {
        using var dir = new TempDirectory();
        var result = CliRunner.Run("verify", "--tp", "3", "--hidden", "10", "--ffn", "22", "--batch", "5", "--activation", "relu", "--dump", dir.Path);
        Assert.True(result.ExitCode == 0, result.Error);
        var t = new[] { "x", "w1", "b1", "w2", "b2", "y", "dy", "dx", "dw1", "db1", "dw2", "db2" }.ToDictionary(n => n, n => NpyFile.Read(dir.File(n + ".npy")));
        Assert.Equal([10, 22], t["w1"].Shape);
        Assert.Equal([22, 10], t["w2"].Shape);
        Assert.Equal([5, 10], t["y"].Shape);

        // Recompute from the files alone, as another tool would: y = relu(x·w1 + b1)·w2 + b2 and dW2 = zᵀ·dy.
        var backend = CpuBackend.Create(BackendKind.Managed, 1);
        using var h = Tensor.Zeros(5, 22);
        backend.Gemm(t["x"], false, t["w1"], false, h);
        backend.AddBias(h, t["b1"]);
        backend.Activate(Activation.Relu, h, h);
        using var y = Tensor.Zeros(5, 10);
        backend.Gemm(h, false, t["w2"], false, y);
        backend.AddBias(y, t["b2"]);
        using var dw2 = Tensor.Zeros(22, 10);
        backend.Gemm(h, true, t["dy"], false, dw2);
        AssertClose(y, t["y"]);
        AssertClose(dw2, t["dw2"]);
        Assert.Contains("wrote 12 .npy files", result.Error);
    }

    [Fact]
    public void Help_ListsTheDumpedTensorNames()
    {
        var result = CliRunner.Run("verify", "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("x, w1, b1, w2, b2, y, dy, dx, dw1, db1, dw2, db2", result.Out);
    }

    [Theory]
    [InlineData("--tp", "0", "--tp 0: must be 1 to 16 (tpactors.verify.tp)")]
    [InlineData("--tp", "17", "--tp 17: must be 1 to 16")]
    [InlineData("--hidden", "0", "--hidden 0: must be at least 1 (tpactors.verify.hidden)")]
    public void BadOption_IsAUsageError_NamingIt(string option, string value, string expected)
    {
        var result = CliRunner.Run("verify", option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
    }

    [Fact]
    public void UnknownActivation_IsAUsageError()
    {
        var result = CliRunner.Run("verify", "--activation", "tanh");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("tanh", result.Error);
    }

    [Fact]
    public void AFailingCheck_ExitsWithOne_AndSaysFailed()
    {
        // A tolerance no float32 result can meet (above zero error) makes the checks fail.
        var result = CliRunner.Run("verify", "-D", "tpactors.verify.tolerance=1e-30");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("FAILED", result.Out);
        Assert.Contains(" NO", result.Out);
    }

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        var e = expected.ToArray();
        var a = actual.ToArray();
        for (int i = 0; i < e.Length; i++) Assert.True(Math.Abs(e[i] - a[i]) <= 1e-5 * (1 + Math.Abs(e[i])), $"element {i}: {e[i]} vs {a[i]}");
    }
}
