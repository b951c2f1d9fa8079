using System.Text.Json;
using TpActors.Host.Bench;

namespace TpActors.Host.Tests.Commands;

// Shape and argument handling only: the figures themselves are timings, which never go into assertions.
public sealed class BenchTensorCommandTests
{
    [Fact]
    public void Collectives_Json_NamesOneResultPerOperationAndSize_WithBusBandwidthBesideMemcpy()
    {
        var result = CliRunner.Run("bench", "collectives", "--json", "--ranks", "3", "--sizes", "4096,64KiB", "--iterations", "2", "-D", "tpactors.bench.collectives.min-bytes=0");
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(
            ["all-reduce 4096 busbw", "all-gather 4096 busbw", "reduce-scatter 4096 busbw", "all-reduce 65536 busbw", "all-gather 65536 busbw", "reduce-scatter 65536 busbw"],
            results.Select(r => r.GetProperty("name").GetString()));
        foreach (var r in results)
        {
            Assert.Equal("GB/s", r.GetProperty("unit").GetString());
            Assert.Contains("memcpy", r.GetProperty("baseline").GetString());
            Assert.True(r.GetProperty("value").GetDouble() > 0 && r.GetProperty("baseline_value").GetDouble() > 0);
            Assert.False(r.TryGetProperty("bytes_per_message", out _), "message-allocation fields belong to message benches only");
        }
        Assert.Contains("algbw", result.Error); // the per-size table with time and algbw goes to stderr
        Assert.Contains("all-reduce            4096       2", result.Error); // with the repetitions each size got
    }

    [Fact]
    public void Collectives_SmallSizesRepeatUntilMinBytesHaveMoved_LargeOnesTheGivenIterations()
    {
        var bench = new CollectiveBench(2, [4096], Iterations: 20, MinBytes: 64L << 20);
        Assert.Equal(16384, bench.IterationsFor(4096));
        Assert.Equal(64, bench.IterationsFor(1 << 20));
        Assert.Equal(20, bench.IterationsFor(16 << 20));
        Assert.Equal(23, bench.IterationsFor(3_000_000)); // rounded up: 22 rounds move 66 MB, 23 at least 64 MiB
        Assert.Equal(1 << 20, (bench with { MinBytes = 1L << 30 }).IterationsFor(4));
        Assert.Equal(20, (bench with { MinBytes = 0 }).IterationsFor(4096));
        Assert.Equal(3, CollectiveBench.WarmupFor(20));
        Assert.Equal(1638, CollectiveBench.WarmupFor(16384));
    }

    [Fact]
    public void Train_Json_HasTheSnapshotRatio_AndTheRecoveryTimes_BesideOneStep()
    {
        var result = CliRunner.Run("bench", "train", "--json", "-D", "tpactors.bench.training.hidden=16", "-D", "tpactors.bench.training.ffn=24",
            "-D", "tpactors.bench.training.batch=4", "-D", "tpactors.bench.training.steps=4", "-D", "tpactors.bench.training.runs=1");
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["no snapshots", "one training step", "one training step"], results.Select(r => r.GetProperty("baseline").GetString()));
        Assert.StartsWith("train steps/s, snapshot every step (tp 2, 2 layers, hidden 16, ffn 24, batch 4)", results[0].GetProperty("name").GetString());
        Assert.All(results, r => Assert.True(r.GetProperty("value").GetDouble() > 0 && r.GetProperty("ratio").GetDouble() > 0));
        Assert.Contains("rank 1 throws in backward", result.Error);
        var single = CliRunner.Run("bench", "train", "-D", "tpactors.bench.training.tp=1"); // a fault needs a surviving peer
        Assert.Equal(1, single.ExitCode);
        Assert.Contains("'tpactors.bench.training.tp' must be 2 to 64, but is 1", single.Error);
    }

    [Theory]
    [InlineData("--ranks", "0", "--ranks 0: must be 1 to 64 (tpactors.bench.collectives.ranks)")]
    [InlineData("--sizes", "2", "size 2 is out of range")]
    [InlineData("--iterations", "0", "--iterations 0: must be 1 to 1048576")]
    public void Collectives_BadArgument_IsAUsageError(string option, string value, string expected)
    {
        var result = CliRunner.Run("bench", "collectives", option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
    }

    [Fact]
    public void Layers_PrintsGemmAndTp2BesideTp1_AsRatios()
    {
        var result = CliRunner.Run("bench", "layers", "--json",
            "-D", "tpactors.bench.layers.gemm-size=64", "-D", "tpactors.bench.layers.hidden=32", "-D", "tpactors.bench.layers.ffn=64",
            "-D", "tpactors.bench.layers.batch=8", "-D", "tpactors.bench.layers.runs=1");
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var names = json.RootElement.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("name").GetString()).ToList();
        Assert.Contains("gemm 64 managed", names);
        Assert.Contains("mlp fwd+bwd tp=2", names);
        var tp2 = json.RootElement.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("name").GetString() == "mlp fwd+bwd tp=2");
        Assert.Contains("TP=1", tp2.GetProperty("baseline").GetString());
        Assert.True(tp2.GetProperty("ratio").GetDouble() > 0);
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("machine").GetProperty("backend").GetString()));
    }

    [Fact]
    public void LayersBlock_TimesTheBlockAgainstTheGemmPeak_AndReportsWhatEachRankKeeps()
    {
        var result = CliRunner.Run("bench", "layers", "--model", "block", "--json", "-D", "tpactors.bench.layers.gemm-size=64",
            "-D", "tpactors.bench.layers.block.hidden=32", "-D", "tpactors.bench.layers.block.heads=4", "-D", "tpactors.bench.layers.block.context=8",
            "-D", "tpactors.bench.layers.block.batch=3", "-D", "tpactors.bench.layers.runs=1");
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        Assert.Contains("64³", results["block fwd+bwd tp=1"].GetProperty("baseline").GetString());
        Assert.Contains("TP=1", results["block fwd+bwd tp=2"].GetProperty("baseline").GetString());
        Assert.Contains("without sequence parallelism", results["block fwd+bwd tp=2 sp"].GetProperty("baseline").GetString());
        // 24 rows of width 32, 4 heads of 8 tokens, MLP 128 wide: at TP=1 the input, LN₁(x), h and LN₂(h) (4 × 3 KiB), their
        // statistics (4 × 96 B), Q|K|V and O (12 KiB), the scores (3 KiB) and the MLP's two activations (24 KiB).
        double tp1 = results["block kept per rank tp=2"].GetProperty("baseline_value").GetDouble() * 1024 * 1024; // JSON keeps 4 digits
        Assert.InRange(tp1, 52608 * 0.999, 52608 * 1.001); // 4·3072 + 4·96 + 12288 + 3072 + 24576
        var sp = results["block kept per rank tp=2 sp"];
        Assert.True(sp.GetProperty("lower_is_better").GetBoolean());
        Assert.InRange(sp.GetProperty("ratio").GetDouble(), 0.01, 0.99); // the residual regions split: less than without
        Assert.Contains("block hidden 32, heads 4, context 8, batch 3", result.Error);
    }

    [Fact]
    public void LayersBlock_HiddenNotDivisibleByHeads_IsAUsageError()
    {
        var result = CliRunner.Run("bench", "layers", "--model", "block", "-D", "tpactors.bench.layers.block.hidden=30", "-D", "tpactors.bench.layers.block.heads=4");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("The hidden size 30 is not divisible by 4 heads", result.Error);
    }

    [Fact]
    public void TrainGpt_TimesTp1BesidePyTorch_AndTp2BesideTp1()
    {
        using var dir = new TempDirectory();
        string text = dir.Write("text.txt", string.Concat(Enumerable.Range(0, 200).Select(i => $"line {i % 13} of a small text.\n")));
        var result = CliRunner.Run("bench", "train", "--model", "gpt", "--json", "-D", "tpactors.training.gpt.data=" + text,
            "-D", "tpactors.training.gpt.layers=1", "-D", "tpactors.training.gpt.hidden=32", "-D", "tpactors.training.gpt.heads=2",
            "-D", "tpactors.training.gpt.context=16", "-D", "tpactors.training.gpt.batch=4",
            "-D", "tpactors.bench.training.gpt.steps=4", "-D", "tpactors.bench.training.gpt.runs=1");
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        var tp1 = results["gpt tokens/s tp=1 (1 layers, hidden 32, heads 2, context 16, batch 4, vocab 24)"]; // letters, digits, space, '.', newline
        Assert.True(tp1.GetProperty("value").GetDouble() > 0);
        // Beside PyTorch where Debian's python3-torch is installed; otherwise the baseline says why it is missing.
        Assert.Contains(File.Exists("/usr/bin/python3") ? "PyTorch" : "python3", tp1.GetProperty("baseline").GetString());
        Assert.Equal("TpActors at TP=1", results["gpt tokens/s tp=2"].GetProperty("baseline").GetString());
    }

    [Fact]
    public void Layers_BadSize_IsAUsageError()
    {
        var result = CliRunner.Run("bench", "layers", "-D", "tpactors.bench.layers.runs=0");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("-D[1]:1:28: 'tpactors.bench.layers.runs' must be at least 1, but is 0", result.Error);
        var bytes = CliRunner.Run("bench", "collectives", "-D", "tpactors.bench.collectives.min-bytes=2GiB");
        Assert.Equal(1, bytes.ExitCode);
        Assert.Contains("'tpactors.bench.collectives.min-bytes' must be 0 B to 1 GiB, but is 2 GiB", bytes.Error);
    }
}
