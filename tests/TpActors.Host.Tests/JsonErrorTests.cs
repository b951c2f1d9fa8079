using System.Text.Json;

namespace TpActors.Host.Tests;

// Under --json every failure prints exactly one JSON object on stdout (error, exit_code, and where known file, line,
// column), and --verbose adds the stack trace on stderr whatever failed.
public sealed class JsonErrorTests
{
    private static JsonElement SingleObject(CliRunner.Result result)
    {
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one JSON line on stdout, got: {result.Out}");
        var json = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(result.ExitCode, json.GetProperty("exit_code").GetInt32());
        return json;
    }

    [Fact]
    public void AResumeThatFails_PrintsTheErrorAsJson()
    {
        using var directory = new TempDirectory();
        var result = CliRunner.Run("train", "--json", "--resume", directory.File("missing"));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"Checkpoint directory {directory.File("missing")} does not exist.", SingleObject(result).GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("bench", "actors", "--json", "--messages", "0")]
    [InlineData("train", "--json", "--checkpoint-dir", "")]
    [InlineData("train", "--json", "--resume", "")]
    [InlineData("verify", "--json", "--dump", "")]
    [InlineData("train", "--json", "--lr", "1e-320")]
    public void EveryUsageError_PrintsOneJsonObject_NamingWhatWasTyped(params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        string error = SingleObject(result).GetProperty("error").GetString()!;
        Assert.StartsWith($"{args[^2]} {(args[^1].Length == 0 ? "\"\"" : args[^1])}:", error); // the option and the very words typed
    }

    [Fact]
    public void AFloatSettingThatWouldBecomeZero_IsRefused_WithWhereItWasSet()
    {
        var result = CliRunner.Run("train", "--json", "--steps", "1", "-D", "tpactors.training.lr=1e-320");
        Assert.Equal(1, result.ExitCode);
        var json = SingleObject(result);
        Assert.Contains("'tpactors.training.lr' must be a float32, but is number 1e-320", json.GetProperty("error").GetString());
        Assert.Equal("-D[1]", json.GetProperty("file").GetString());
    }

    [Theory]
    [InlineData("train", "--json", "--tp", "abc")]
    [InlineData("verify", "--json", "--tp", "99")]
    [InlineData("bench", "collectives", "--json", "--sizes", "0")]
    public void AUsageError_PrintsTheErrorAsJson(params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        string error = SingleObject(result).GetProperty("error").GetString()!;
        Assert.Matches(@"^(--tp abc: expected a whole number\.|--tp 99: must be 1 to 16 \(tpactors\.verify\.tp\)\.|size 0 is out of range; use 4 bytes to 1 GiB\.)$", error);
    }

    [Fact]
    public void AConfigurationError_GivesFileLineAndColumn()
    {
        using var directory = new TempDirectory();
        string file = directory.Write("bad.conf", "tpactors.training {\n  lr = -1\n}\n");
        var result = CliRunner.Run("train", "--json", "--config", file);
        Assert.Equal(1, result.ExitCode);
        var json = SingleObject(result);
        Assert.Equal((file, 2, 8), (json.GetProperty("file").GetString(), json.GetProperty("line").GetInt32(), json.GetProperty("column").GetInt32()));
        Assert.Contains("'tpactors.training.lr' must be more than 0, but is -1", json.GetProperty("error").GetString());
    }

    [Fact]
    public void Verbose_AddsTheStackTrace_ToACheckpointError()
    {
        using var directory = new TempDirectory();
        var plain = CliRunner.Run("train", "--resume", directory.File("missing"));
        var verbose = CliRunner.Run("train", "--verbose", "--resume", directory.File("missing"));
        Assert.DoesNotContain("   at ", plain.Error);
        Assert.Contains("System.IO.InvalidDataException", verbose.Error);
        Assert.Contains("   at TpActors.", verbose.Error);
    }
}
