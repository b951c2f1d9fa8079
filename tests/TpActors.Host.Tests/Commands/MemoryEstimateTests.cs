using System.Text.Json;

namespace TpActors.Host.Tests.Commands;

// The memory estimate that gates the sizes verify and train accept is held to what a run really takes: each runs as its
// own process, reports its peak resident memory (VmHWM) beside its estimate, and the peak stays within the estimate plus
// what the runtime takes at all (the peak of the same command at the smallest sizes).
public sealed class MemoryEstimateTests
{
    private static (long Estimate, long Peak) Memory(params string[] args)
    {
        var result = CliProcess.Run([.. args, "--json", "-D", "tpactors.tensors.backend=managed"]);
        Assert.True(result.ExitCode == 0, result.Error);
        var memory = JsonDocument.Parse(result.Out).RootElement.GetProperty("memory");
        return (memory.GetProperty("estimate_bytes").GetInt64(), memory.GetProperty("peak_bytes").GetInt64());
    }

    private static void AssertHonest(string what, (long Estimate, long Peak) run, (long Estimate, long Peak) runtime) =>
        Assert.True(run.Peak <= run.Estimate + runtime.Peak,
            $"{what}: peak {run.Peak:N0} bytes, beyond the estimate {run.Estimate:N0} and the runtime's own {runtime.Peak:N0}: sizes the check passes could be OOM-killed");

    [Theory]
    [InlineData("--hidden", "300000", "--ffn", "32", "--batch", "4")]   // weights dominate
    [InlineData("--hidden", "16", "--ffn", "300000", "--batch", "4")]   // the other way round
    [InlineData("--hidden", "8", "--ffn", "32", "--batch", "200000")]   // activations dominate
    public void Verify_PeaksWithinItsEstimate(params string[] sizes)
    {
        var runtime = Memory("verify", "--hidden", "8", "--ffn", "8", "--batch", "2");
        AssertHonest($"verify {string.Join(' ', sizes)}", Memory(["verify", .. sizes]), runtime);
    }

    [Fact]
    public void Train_WithCheckpoints_AndResumed_PeaksWithinItsEstimate()
    {
        using var directory = new TempDirectory();
        string[] sizes = ["--hidden", "1024", "--ffn", "4096", "--layers", "2", "--batch", "16"];
        var runtime = Memory("train", "--hidden", "8", "--ffn", "8", "--layers", "1", "--batch", "2", "--steps", "1");
        AssertHonest("train with checkpoints", Memory(["train", .. sizes, "--steps", "2", "--checkpoint-every", "1", "--checkpoint-dir", directory.File("ck")]), runtime);
        AssertHonest("train resumed", Memory(["train", .. sizes, "--steps", "3", "--resume", directory.File("ck")]), runtime);
    }
}
