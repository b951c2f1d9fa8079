using System.Text.Json;

namespace TpActors.Host.Tests.Commands;

// tpactors checkpoint inspect, --resume auto, the resumed summary, and the digest recomputed as docs/CHECKPOINTS.md says.
public sealed class CheckpointCommandTests
{
    private static readonly string[] Small = ["--layers", "2", "--hidden", "10", "--ffn", "7", "--batch", "4", "-D", "tpactors.tensors.backend=managed"];

    private static string Digest(string output) => output.Split('\n').Single(l => l.StartsWith("weights sha256: ", StringComparison.Ordinal))["weights sha256: ".Length..].Trim();

    [Fact]
    public void Inspect_ListsEveryStep_ChecksItsFiles_AndGivesTheDigestTrainPrinted()
    {
        using var directory = new TempDirectory();
        var trained = CliRunner.Run(["train", .. Small, "--tp", "3", "--steps", "6", "--checkpoint-dir", directory.Path, "--checkpoint-every", "3"]);
        Assert.True(trained.ExitCode == 0, trained.Error);

        var table = CliRunner.Run("checkpoint", "inspect", directory.Path);
        Assert.True(table.ExitCode == 0, table.Error);
        Assert.Contains($"checkpoint {directory.Path}: 2 steps, latest step-00000006", table.Out);
        Assert.Matches(@"\n6 +3 +2 layers, hidden 10, ffn 7, gelu, bias +adamw lr 0.001 +3, [\d.]+ (bytes|KiB) +ok +" + Digest(trained.Out), table.Out);
        Assert.Contains("blocks.0.fc1.weight", table.Out);
        Assert.Contains("columns (split along dim 1)", table.Out);

        var json = JsonDocument.Parse(CliRunner.Run("checkpoint", "inspect", "--json", directory.Path).Out).RootElement;
        Assert.True(json.GetProperty("verified").GetBoolean());
        var steps = json.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal([3L, 6L], steps.Select(s => s.GetProperty("step").GetInt64()));
        Assert.Equal(Digest(trained.Out), steps[1].GetProperty("weights_sha256").GetString());
        Assert.Equal(3, steps[1].GetProperty("metadata").GetProperty("tp").GetInt32());

        // Damage one file of step 3: that step fails its checks, step 6 still passes, and the command exits 1.
        File.AppendAllText(Path.Combine(directory.Path, "step-00000003", "rank-2-of-3.safetensors"), "x");
        var damaged = CliRunner.Run("checkpoint", "inspect", directory.Path);
        Assert.Equal(1, damaged.ExitCode);
        Assert.Matches(@"\n3 +3 .* FAILED +-", damaged.Out);
        Assert.Contains("rank-2-of-3.safetensors", damaged.Error);
        Assert.Contains("extra bytes", damaged.Error);
    }

    [Fact]
    public void ResumeAuto_StartsFreshInAnEmptyDirectory_AndResumesFromOneWithACheckpoint()
    {
        using var directory = new TempDirectory();
        string checkpoints = directory.File("ckpt");
        var fresh = CliRunner.Run(["train", .. Small, "--tp", "2", "--steps", "4", "--resume", "auto", "--checkpoint-dir", checkpoints]);
        Assert.True(fresh.ExitCode == 0, fresh.Error);
        Assert.DoesNotContain("resumed:", fresh.Out);
        Assert.Contains("steps:      1…4", fresh.Out);

        var resumed = CliRunner.Run(["train", "-D", "tpactors.tensors.backend=managed", "--tp", "3", "--steps", "7", "--resume", "auto", "--checkpoint-dir", checkpoints]);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains($"resumed:    from step 4, {Path.Combine(checkpoints, "step-00000004")} (tp 2 → 3, resharded)", resumed.Out);
        Assert.Contains("steps:      5…7", resumed.Out);
        Assert.Equal("step-00000007", File.ReadAllText(Path.Combine(checkpoints, "latest")).Trim());

        var noDirectory = CliRunner.Run("train", "--resume", "auto");
        Assert.Equal(2, noDirectory.ExitCode);
        Assert.Contains("--resume auto needs --checkpoint-dir D", noDirectory.Error);
    }

    [Fact]
    public void TheDocumentedPython_RecomputesTheWeightsDigest_FromTheFiles()
    {
        string? python = new[] { "/usr/bin/python3", "/usr/local/bin/python3" }.FirstOrDefault(File.Exists);
        Assert.True(python is not null, "python3 (part of every Debian system) runs the snippet of docs/CHECKPOINTS.md");
        using var directory = new TempDirectory();
        var trained = CliRunner.Run(["train", .. Small, "--tp", "3", "--steps", "3", "--optimizer", "sgd", "--checkpoint-dir", directory.Path]);
        Assert.True(trained.ExitCode == 0, trained.Error);

        string doc = File.ReadAllText(RepositoryRoot.File("docs/CHECKPOINTS.md"));
        int start = doc.IndexOf("```python\n", StringComparison.Ordinal) + "```python\n".Length;
        string script = directory.Write("digest.py", doc[start..doc.IndexOf("```", start, StringComparison.Ordinal)]);
        var result = CliProcess.Run(CliProcess.Program(python!, [script, Path.Combine(directory.Path, "step-00000003")]));
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(Digest(trained.Out), result.Out.Trim());
    }
}
