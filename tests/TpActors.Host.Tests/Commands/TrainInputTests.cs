using System.Text.Json;

namespace TpActors.Host.Tests.Commands;

// Inputs train used to accept without complaint: each is refused or reported, with exit 1 or 2 and one sentence.
public sealed class TrainInputTests
{
    private static readonly string[] Small = ["--layers", "1", "--hidden", "12", "--ffn", "20", "--batch", "4", "-D", "tpactors.tensors.backend=managed"];

    private static CliRunner.Result Train(params string[] args) => CliRunner.Run(["train", .. Small, .. args]);

    // A directory holding steps 2 and 4 of a small run.
    private static TempDirectory Checkpoints()
    {
        var directory = new TempDirectory();
        var result = Train("--tp", "2", "--steps", "4", "--checkpoint-dir", directory.Path, "--checkpoint-every", "2");
        Assert.True(result.ExitCode == 0, result.Error);
        return directory;
    }

    [Fact]
    public void Check_BeyondItsTolerance_Exits1()
    {
        var loose = Train("--tp", "2", "--steps", "3", "--check", "--json");
        Assert.True(loose.ExitCode == 0, loose.Error);
        Assert.True(JsonDocument.Parse(loose.Out).RootElement.GetProperty("check_passed").GetBoolean());

        var strict = Train("--tp", "2", "--steps", "3", "--check", "--check-tolerance", "0");
        Assert.Equal(1, strict.ExitCode); // TP=2 and TP=1 sum in different orders, so some weight differs by more than 0
        Assert.Contains("check:      largest weight difference from TP=1 on the same data:", strict.Out);
        Assert.Contains("check failed", strict.Error);
    }

    [Fact]
    public void ANonFiniteLoss_StopsTheRunAtThatStep_AndKeepsTheLastGoodCheckpoint()
    {
        using var directory = new TempDirectory();
        var result = Train("--tp", "2", "--steps", "20", "--lr", "1e30", "--checkpoint-dir", directory.Path, "--checkpoint-every", "1", "--json");
        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"Training stopped at step (\d+), loss phase: the loss is (NaN|∞|-∞|Infinity)", result.Error);
        Assert.Contains("the run diverged", result.Error);
        var json = JsonDocument.Parse(result.Out).RootElement;
        Assert.True(json.GetProperty("failed").GetBoolean());
        string last = json.GetProperty("last_checkpoint").GetString()!;
        int stopped = int.Parse(System.Text.RegularExpressions.Regex.Match(result.Error, @"stopped at step (\d+)").Groups[1].Value);
        Assert.EndsWith($"step-{stopped - 1:D8}", last); // every step before the bad one was saved, and none after
        Assert.Equal(Path.GetFileName(last), File.ReadAllText(Path.Combine(directory.Path, "latest")).Trim());
    }

    [Fact]
    public void AFaultAfterTheLastStep_IsAUsageError()
    {
        var result = Train("--tp", "2", "--steps", "5", "--fault", "1:9:forward");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--fault 1:9:forward:throw: step 9 is after the last step, 5 (--steps); it would never fire.", result.Error);
    }

    [Fact]
    public void ResumingPastTheLastStep_IsRefused_AndAFaultBeforeTheResumedStepToo()
    {
        using var directory = Checkpoints();
        var behind = CliRunner.Run(["train", "--steps", "3", "--resume", directory.Path]);
        Assert.Equal(1, behind.ExitCode);
        Assert.Contains("Nothing to do: the checkpoint at", behind.Error);
        Assert.Contains("is already at step 4, past step 3", behind.Error);

        var early = CliRunner.Run(["train", "--steps", "6", "--resume", directory.Path, "--fault", "0:2:forward"]);
        Assert.Equal(2, early.ExitCode);
        Assert.Contains("step 2 is not after the checkpoint's step 4", early.Error);

        var same = CliRunner.Run(["train", "--steps", "4", "--resume", directory.Path]);
        Assert.True(same.ExitCode == 0, same.Error);
        Assert.Contains("steps:      none to run: the run already stands at step 4", same.Out);
        Assert.DoesNotContain("NaN", same.Out);
    }

    [Theory]
    [InlineData("step-00000030\n", "names step-00000030, which is not a complete checkpoint in")]
    [InlineData("../../../etc\n", "names '../../../etc', which is not a step directory (step-NNNNNNNN) inside")]
    [InlineData("", "names nothing, which is not a step directory")]
    public void ALatestThatIsWrong_IsRefused_NotPassedOver(string latest, string expected)
    {
        using var directory = Checkpoints();
        File.WriteAllText(Path.Combine(directory.Path, "latest"), latest);
        var result = CliRunner.Run(["train", "--steps", "6", "--resume", directory.Path]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Error);
    }

    [Fact]
    public void ALatestThatIsASymlinkLoopOrADevice_IsRefused()
    {
        using var directory = Checkpoints();
        string latest = Path.Combine(directory.Path, "latest");
        File.Delete(latest);
        File.CreateSymbolicLink(latest, latest);
        var loop = CliRunner.Run(["train", "--steps", "6", "--resume", directory.Path]);
        Assert.Equal(1, loop.ExitCode);
        Assert.Contains($"{latest} cannot be read", loop.Error);

        File.Delete(latest);
        File.CreateSymbolicLink(latest, "/dev/zero");
        var device = CliRunner.Run(["train", "--steps", "6", "--resume", directory.Path]);
        Assert.Equal(1, device.ExitCode);
        Assert.Contains($"{latest} is longer than 256 bytes", device.Error);
    }

    [Fact]
    public void MetadataThatIsADevice_IsRefusedWithoutReadingItWhole()
    {
        using var directory = Checkpoints();
        string metadata = Path.Combine(directory.Path, "step-00000004", "metadata.json");
        File.Delete(metadata);
        File.CreateSymbolicLink(metadata, "/dev/zero");
        var result = CliRunner.Run(["train", "--steps", "6", "--resume", Path.Combine(directory.Path, "step-00000004")]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{metadata} is longer than 67108864 bytes", result.Error);
    }

    [Fact]
    public void MetadataEditedToAnotherStep_IsCaughtByTheShardHeaders()
    {
        using var directory = Checkpoints();
        string step4 = Path.Combine(directory.Path, "step-00000004"), step5 = Path.Combine(directory.Path, "step-00000005");
        string edited = File.ReadAllText(Path.Combine(step4, "metadata.json")).Replace("\"step\": 4,", "\"step\": 5,");
        File.WriteAllText(Path.Combine(step4, "metadata.json"), edited);
        var renamedNot = CliRunner.Run(["train", "--steps", "6", "--resume", step4]);
        Assert.Equal(1, renamedNot.ExitCode);
        Assert.Contains("the metadata says step 5, the directory's name says step 4", renamedNot.Error);

        Directory.Move(step4, step5); // now the name agrees with the edit; the files' own headers still say 4
        var renamed = CliRunner.Run(["train", "--steps", "6", "--resume", step5]);
        Assert.Equal(1, renamed.ExitCode);
        Assert.Contains("the file's header says step '4'; the metadata says step 5", renamed.Error);
    }

    [Fact]
    public void ResumeGivenAFile_SaysACheckpointIsADirectory()
    {
        using var directory = Checkpoints();
        string rankFile = Path.Combine(directory.Path, "step-00000004", "rank-0-of-2.safetensors");
        var result = CliRunner.Run(["train", "--steps", "6", "--resume", rankFile]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{rankFile} is a file; a checkpoint is a directory", result.Error);
    }
}
