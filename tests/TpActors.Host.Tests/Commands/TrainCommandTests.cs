using System.Text.Json;

namespace TpActors.Host.Tests.Commands;

// `tpactors train` as a user runs it: digests by eye and by script, resume, bad input, and a process killed mid-checkpoint.
public sealed class TrainCommandTests
{
    // The same backend everywhere: OpenBLAS and the managed GEMM agree to float32 tolerance, not to the bit.
    private static readonly string[] Managed = ["-D", "tpactors.tensors.backend=managed"];

    private static readonly string[] Small = ["--layers", "2", "--hidden", "24", "--ffn", "40", "--batch", "8", .. Managed];

    private static JsonElement Json(params string[] args)
    {
        var result = CliRunner.Run(["train", "--json", .. Small, .. args]);
        Assert.True(result.ExitCode == 0, result.Error);
        return JsonDocument.Parse(result.Out).RootElement;
    }

    [Fact]
    public void WithAFault_PrintsTheSameDigest_AsWithout()
    {
        var clean = CliRunner.Run(["train", .. Small, "--tp", "2", "--steps", "12"]);
        var faulty = CliRunner.Run(["train", .. Small, "--tp", "2", "--steps", "12", "--fault", "1:5:backward"]);
        Assert.Equal(0, clean.ExitCode);
        Assert.Equal(0, faulty.ExitCode);
        string Digest(string output) => output.Split('\n').Single(l => l.StartsWith("weights sha256: ", StringComparison.Ordinal));
        Assert.Equal(Digest(clean.Out), Digest(faulty.Out));
        Assert.Contains("recoveries: 1", faulty.Out);
        Assert.Contains("rank 1, step 5, backward: threw: injected fault", faulty.Out);
        Assert.Contains("recovering: rank 1, step 5, backward", faulty.Error); // shown as it happens
        Assert.Contains("final loss:", clean.Out);
    }

    [Fact]
    public void Json_HasTheSummaryFields_AndTheRecoveries()
    {
        var run = Json("--tp", "3", "--steps", "6", "--optimizer", "sgd", "--lr", "0.05", "--fault", "2:3:optimizer:stop", "--fault", "0:4:forward");
        Assert.Equal(6, run.GetProperty("steps").GetInt64());
        Assert.Equal(64, run.GetProperty("weights_sha256").GetString()!.Length);
        Assert.True(run.GetProperty("final_loss").GetDouble() > 0);
        var recoveries = run.GetProperty("recoveries").EnumerateArray().ToList();
        Assert.Equal(2, recoveries.Count);
        Assert.Equal((2, 3, "optimizer", "stopped"), (recoveries[0].GetProperty("rank").GetInt32(), recoveries[0].GetProperty("step").GetInt32(),
            recoveries[0].GetProperty("phase").GetString(), recoveries[0].GetProperty("kind").GetString()));
        Assert.Contains("injected fault", recoveries[1].GetProperty("cause").GetString());
        Assert.Equal(Json("--tp", "3", "--steps", "6", "--optimizer", "sgd", "--lr", "0.05").GetProperty("weights_sha256").GetString(), run.GetProperty("weights_sha256").GetString());
    }

    [Fact]
    public void Check_ReportsTheDifferenceFromTp1()
    {
        var run = Json("--tp", "2", "--steps", "4", "--check");
        float difference = run.GetProperty("check_max_abs_difference").GetSingle();
        Assert.InRange(difference, 0f, 1e-4f);
    }

    [Fact]
    public void Check_OfAResumedRun_TrainsTp1FromTheSameCheckpoint_NotFromTheOneTheRunJustWrote()
    {
        using var directory = new TempDirectory();
        Json("--tp", "2", "--steps", "2", "--checkpoint-dir", directory.Path);
        // The resumed run writes step 6 into the same directory; had the check resumed from `latest` it would start at step 6,
        // train nothing and compare the run with itself (a difference of exactly 0, which a tolerance of 0 lets through).
        var resumed = CliRunner.Run(["train", "--json", .. Small, "--tp", "3", "--steps", "6", "--resume", directory.Path, "--check", "--check-tolerance", "0"]);
        using var json = JsonDocument.Parse(resumed.Out);
        Assert.True(json.RootElement.GetProperty("check_max_abs_difference").GetSingle() > 0, "TP=3 and TP=1 sum in different orders over four steps");
        Assert.Equal(1, resumed.ExitCode);
    }

    [Fact]
    public void Resume_ContinuesTheCheckpointsRun_AndReshards()
    {
        using var directory = new TempDirectory();
        string uninterrupted = Json("--tp", "2", "--steps", "8").GetProperty("weights_sha256").GetString()!;
        Json("--tp", "2", "--steps", "5", "--checkpoint-dir", directory.Path, "--checkpoint-every", "2");
        // A bare --resume takes the sizes from the checkpoint (the defaults in reference.conf are much larger).
        var resumed = CliRunner.Run(["train", "--json", .. Managed, "--tp", "2", "--steps", "8", "--resume", directory.Path]);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        var json = JsonDocument.Parse(resumed.Out).RootElement;
        Assert.Equal(uninterrupted, json.GetProperty("weights_sha256").GetString());
        Assert.Equal(5, json.GetProperty("start_step").GetInt64());

        var mismatch = CliRunner.Run(["train", "--resume", directory.Path, "--hidden", "32", "--steps", "8"]);
        Assert.Equal(1, mismatch.ExitCode);
        Assert.Contains("hidden: the checkpoint has 24, the run asks for 32", mismatch.Error);

        // The resumed run went on checkpointing into the directory (its latest is now step 8): resume step 5 by its directory.
        var resharded = CliRunner.Run(["train", "--json", .. Managed, "--tp", "3", "--steps", "5", "--resume", Path.Combine(directory.Path, "step-00000005")]);
        Assert.Equal(JsonDocument.Parse(Json("--tp", "2", "--steps", "5").ToString()).RootElement.GetProperty("weights_sha256").GetString(),
            JsonDocument.Parse(resharded.Out).RootElement.GetProperty("weights_sha256").GetString());
    }

    [Theory]
    [InlineData("1:20", "expected rank:step:phase")]
    [InlineData("1:20:sideways", "phase 'sideways' is not one of batch, forward")]
    [InlineData("1:0:forward", "step '0' is not a number from 1")]
    [InlineData("1:2:forward:explode", "kind 'explode' is not throw, hang, stop or kill")]
    [InlineData("5:2:forward", "rank 5 does not exist with --tp 2")]
    public void BadFault_IsAUsageError_ThatSaysWhy(string fault, string expected)
    {
        var result = CliRunner.Run(["train", .. Small, "--tp", "2", "--steps", "3", "--fault", fault]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public void RetriesExhausted_ExitsWith1_AndAReport()
    {
        using var directory = new TempDirectory();
        var result = CliRunner.Run(["train", "--json", .. Small, "--tp", "2", "--steps", "6", "--checkpoint-dir", directory.Path, "--checkpoint-every", "2",
            "-D", "tpactors.training.max-retries=1", "--fault", "0:3:loss", "--fault", "0:3:loss"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("step 3, loss phase: rank 0", result.Error);
        var json = JsonDocument.Parse(result.Out).RootElement;
        Assert.True(json.GetProperty("failed").GetBoolean());
        Assert.Equal(2, json.GetProperty("recoveries").GetArrayLength());
        Assert.EndsWith("step-00000002", json.GetProperty("last_checkpoint").GetString());
    }

    [Fact]
    public void ProcessKilledMidwayThroughACheckpoint_LeavesThePreviousOneLoadable_AndResumeIsExact()
    {
        using var directory = new TempDirectory();
        var killed = CliProcess.Run(["train", .. Small, "--tp", "2", "--steps", "9", "--checkpoint-dir", directory.Path, "--checkpoint-every", "3", "--fault", "1:6:checkpoint:kill"]);
        Assert.NotEqual(0, killed.ExitCode);
        Assert.Contains("midway through rank 1's checkpoint file", killed.Error);
        Assert.Equal("step-00000003", File.ReadAllText(Path.Combine(directory.Path, "latest")).Trim());
        Assert.True(File.Exists(Path.Combine(directory.Path, "step-00000006.partial", "rank-1-of-2.safetensors.tmp")), "the kill came midway through the file");

        var resumed = CliRunner.Run(["train", "--json", .. Managed, "--tp", "2", "--steps", "9", "--resume", directory.Path, "--checkpoint-dir", directory.Path, "--checkpoint-every", "3"]);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Equal(3, JsonDocument.Parse(resumed.Out).RootElement.GetProperty("start_step").GetInt64());
        Assert.Equal(Json("--tp", "2", "--steps", "9").GetProperty("weights_sha256").GetString(), JsonDocument.Parse(resumed.Out).RootElement.GetProperty("weights_sha256").GetString());
        Assert.False(Directory.Exists(Path.Combine(directory.Path, "step-00000006.partial")));
    }
}
