namespace TpActors.Host.Tests.Commands;

// Inputs that used to crash verify and bench (exit 134, a stack trace) get exit 1 or 2 and one sentence.
public sealed class VerifyInputTests
{
    [Fact]
    public void SizesThatOverflowATensor_AreAUsageError_BeforeAnyRankStarts()
    {
        var result = CliRunner.Run("verify", "--hidden", "2147483647", "--ffn", "2147483647", "--batch", "2147483647");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("w1 would be [2147483647, 2147483647]", result.Error);
        Assert.Contains("one tensor holds at most", result.Error);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public void SizesThatCannotFitInMemory_AreRefused_NamingTheBytes()
    {
        // A million blocks of [40000, 40000] weights: petabytes, more than any machine has.
        var deep = CliRunner.Run("train", "--layers", "1000000", "--hidden", "40000", "--ffn", "40000");
        Assert.Equal(2, deep.ExitCode);
        Assert.Matches(@"need about [\d.]+ PiB of memory \(each fc1.weight \[40000, 40000\] takes 6 GiB\); this machine has [\d.]+ [GT]iB", deep.Error);

        var train = CliRunner.Run("train", "--hidden", "1000000", "--ffn", "1000000");
        Assert.Equal(2, train.ExitCode);
        Assert.Contains("fc1.weight would be [1000000, 1000000], 1,000,000,000,000 elements", train.Error);
        Assert.DoesNotContain("overflow", train.Error);
    }

    [Theory]
    [InlineData("layers", "tpactors.bench.layers.gemm-size=100000", "a GEMM operand would be [100000, 100000]")]
    [InlineData("collectives", "tpactors.bench.collectives.ranks=64", "need about")]
    [InlineData("train", "tpactors.bench.training.hidden=100000", "need about")]
    public void Benches_RefuseSizesThatCannotFit_BeforeTheyStart(string bench, string define, string expected)
    {
        string[] args = bench == "collectives" ? ["bench", bench, "-D", define, "--sizes", "1GiB"] : ["bench", bench, "-D", define];
        var result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.DoesNotContain("internal error", result.Error);
    }

    [Fact]
    public void DumpToAnExistingFile_IsRefusedBeforeTheRun()
    {
        using var directory = new TempDirectory();
        string file = directory.Write("taken", "mine");
        var result = CliRunner.Run("verify", "--dump", file);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"--dump {file}: it is a file; --dump takes a directory", result.Error);
        Assert.Equal("mine", File.ReadAllText(file));
    }

    [MountFact]
    public void DumpToAReadOnlyMount_IsRefused_AndToAFullDisk_StillPrintsTheTable()
    {
        using var directory = new TempDirectory();
        var readOnly = CliProcess.InMountNamespace(directory.Path, "ro", ["verify", "--dump", Path.Combine(directory.Path, "out")]);
        Assert.Equal(1, readOnly.ExitCode);
        Assert.Contains("cannot write there", readOnly.Error);
        Assert.Contains("Read-only file system", readOnly.Error);

        var full = CliProcess.InMountNamespace(directory.Path, "size=8k", ["verify", "--dump", Path.Combine(directory.Path, "out")]);
        Assert.Equal(1, full.ExitCode);
        Assert.Contains("PASSED: 15 of 15 checks passed", full.Out); // the checks are not lost with the files
        Assert.Contains("the tensors could not all be written", full.Error);
        Assert.Contains("No space left on device", full.Error);
    }

    [Theory]
    [InlineData("0", "size 0 is out of range; use 4 bytes to 1 GiB.")]
    [InlineData("-5", "size '-5' is not a size in bytes such as 4096, 64KiB or 16MiB: a size cannot be negative.")]
    [InlineData("4096,lots", "size 'lots' is not a size in bytes")]
    public void BenchCollectives_BadSizes_AreAUsageError(string sizes, string expected)
    {
        var result = CliRunner.Run("bench", "collectives", "--sizes", sizes);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
    }
}
