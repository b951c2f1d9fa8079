using System.Diagnostics;
using System.Text.Json;
using TpActors.Layers.Checkpoints;

namespace TpActors.Host.Tests.Commands;

// A checkpoint directory belongs to one run and one process, is checked before step 1, and is never left half-written.
public sealed class TrainCheckpointDirectoryTests
{
    private static readonly string[] Small = ["--layers", "1", "--hidden", "12", "--ffn", "20", "--batch", "4", "-D", "tpactors.tensors.backend=managed"];

    private static CliRunner.Result Train(params string[] args) => CliRunner.Run(["train", .. Small, .. args]);

    private static string Latest(string directory) => File.ReadAllText(Path.Combine(directory, "latest")).Trim();

    [Fact]
    public void AnotherRunsDirectory_IsRefusedBeforeStep1_NamingTheDifference()
    {
        using var directory = new TempDirectory();
        Assert.Equal(0, Train("--tp", "2", "--steps", "4", "--seed", "42", "--checkpoint-dir", directory.Path, "--checkpoint-every", "2").ExitCode);
        var digest = File.ReadAllText(Path.Combine(directory.Path, "step-00000004", "metadata.json"));

        var other = Train("--tp", "2", "--steps", "3", "--seed", "7", "--checkpoint-dir", directory.Path);
        Assert.Equal(1, other.ExitCode);
        Assert.Contains("holds another run's checkpoints", other.Error);
        Assert.Contains("seed: the checkpoint has 42, the run asks for 7", other.Error);
        Assert.DoesNotContain("step 1/", other.Error); // refused before training, not after
        Assert.Equal("step-00000004", Latest(directory.Path));
        Assert.Equal(digest, File.ReadAllText(Path.Combine(directory.Path, "step-00000004", "metadata.json")));
        Assert.Equal([2L, 4L], CheckpointDirectory.CompleteSteps(directory.Path));
    }

    [Fact]
    public void AStepItCannotRead_IsNamedAsTheDirectorysProblem_WhenResumingFromAnother()
    {
        using var directory = new TempDirectory();
        Assert.Equal(0, Train("--tp", "2", "--steps", "4", "--checkpoint-dir", directory.Path, "--checkpoint-every", "2").ExitCode);
        string broken = Path.Combine(directory.Path, "step-00000004", "metadata.json");
        File.WriteAllText(broken, File.ReadAllText(broken).Replace("\"tp\": 2", "\"tp\": 1e30"));

        // Step 2 is intact and resumed; step 4, in the directory the run goes on writing into, is the one that stops it.
        var resumed = Train("--steps", "6", "--resume", Path.Combine(directory.Path, "step-00000002"));
        Assert.Equal(1, resumed.ExitCode);
        Assert.Contains($"Checkpoint directory {directory.Path}, which this run writes its steps into, holds a step it cannot read", resumed.Error);
        Assert.Contains($"{broken}:", resumed.Error);
        Assert.Contains("choose another --checkpoint-dir", resumed.Error);
        Assert.DoesNotContain("step 1/", resumed.Error);
    }

    [Fact]
    public void ResumingFromAnEarlierStep_RewritesTheLaterSteps_NeverSkipsThem()
    {
        using var directory = new TempDirectory();
        string uninterrupted = Digest(Train("--tp", "2", "--steps", "8"));
        Assert.Equal(0, Train("--tp", "2", "--steps", "8", "--checkpoint-dir", directory.Path, "--checkpoint-every", "4").ExitCode);
        File.WriteAllText(Path.Combine(directory.Path, "latest"), "step-00000004\n");
        File.WriteAllText(Path.Combine(directory.Path, "step-00000008", "marker"), "written by the first process");

        // Resumed from step 4 into the same directory, which already holds step 8 of this run: step 8 is written again.
        var resumed = CliRunner.Run(["train", "-D", "tpactors.tensors.backend=managed", "--tp", "2", "--steps", "8", "--resume", directory.Path, "--checkpoint-every", "4"]);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains($"checkpoint: {Path.Combine(directory.Path, "step-00000008")}", resumed.Out); // it kept writing where it resumed from
        Assert.Equal("step-00000008", Latest(directory.Path));
        Assert.False(File.Exists(Path.Combine(directory.Path, "step-00000008", "marker")), "step 8's directory was replaced by the new one");
        Assert.Equal(uninterrupted, Digest(resumed));
    }

    [Fact]
    public void ResumingFromAnOlderStep_NeverPrunesTheStepLatestNames()
    {
        using var directory = new TempDirectory();
        string[] keepOne = ["-D", "tpactors.training.checkpoint-keep=1", "--checkpoint-every", "2"];
        Assert.Equal(0, Train(["--tp", "2", "--steps", "6", "--checkpoint-dir", directory.Path, .. keepOne]).ExitCode);
        Assert.Equal([6L], CheckpointDirectory.CompleteSteps(directory.Path));
        // An older step kept elsewhere, resumed into this directory: step 8 is newer than it, step 6 is not.
        using var older = new TempDirectory();
        Assert.Equal(0, Train(["--tp", "2", "--steps", "8", "--checkpoint-dir", older.Path, "--checkpoint-every", "2"]).ExitCode);
        Directory.Delete(Path.Combine(directory.Path, "step-00000006"), recursive: true);
        CopyDirectory(Path.Combine(older.Path, "step-00000008"), Path.Combine(directory.Path, "step-00000008"));
        var resumed = CliRunner.Run(["train", "-D", "tpactors.tensors.backend=managed", "--tp", "2", "--steps", "5", "--resume", Path.Combine(older.Path, "step-00000004"),
            "--checkpoint-dir", directory.Path, .. keepOne]);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Equal("step-00000005", Latest(directory.Path));
        Assert.Equal([5L, 8L], CheckpointDirectory.CompleteSteps(directory.Path)); // keep = 1 kept 5, which latest names, not only the later 8
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    [Fact]
    public void ADirectoryInUse_IsRefusedAtOnce_NamingTheProcess()
    {
        using var directory = new TempDirectory();
        using (DirectoryLock.Acquire(directory.Path, "checkpoint directory"))
        {
            var second = Train("--tp", "2", "--steps", "2", "--checkpoint-dir", directory.Path);
            Assert.Equal(1, second.ExitCode);
            Assert.Contains($"Checkpoint directory {directory.Path} is in use by process {Environment.ProcessId}", second.Error);
        }
        Assert.Equal(0, Train("--tp", "2", "--steps", "2", "--checkpoint-dir", directory.Path).ExitCode); // released with its holder
    }

    [Fact]
    public void ALockHeldByAKilledProcess_IsReleasedByTheKernel()
    {
        using var directory = new TempDirectory();
        using var first = Process.Start(CliProcess.StartInfo(["train", .. Small, "--tp", "2", "--steps", "100000000", "--checkpoint-dir", directory.Path,
            "--checkpoint-every", "1", "-D", "tpactors.training.checkpoint-keep=1"]))!;
        try
        {
            // Its first checkpoint line says it holds the lock (taken before step 1).
            string? line;
            while ((line = first.StandardError.ReadLine()) is not null && !line.StartsWith("checkpoint: ", StringComparison.Ordinal)) { }
            Assert.True(line is not null, "the first run ended before its first checkpoint");
            var second = Train("--tp", "2", "--steps", "2", "--checkpoint-dir", directory.Path);
            Assert.Equal(1, second.ExitCode);
            Assert.Contains($"is in use by process {first.Id}", second.Error);
        }
        finally
        {
            first.Kill(); // SIGKILL: no cleanup code runs in it
            first.WaitForExit();
        }
        Assert.Equal(0, Train("--tp", "2", "--steps", "2", "--checkpoint-dir", directory.Path).ExitCode);
    }

    [Fact]
    public void APlainFileOrASymlinkLoop_IsRefusedBeforeStep1()
    {
        using var directory = new TempDirectory();
        string file = directory.Write("plain", "not a directory");
        var onFile = Train("--tp", "2", "--steps", "3", "--checkpoint-dir", file);
        Assert.Equal(1, onFile.ExitCode);
        Assert.Contains($"Checkpoint directory {file} is a file, not a directory", onFile.Error);
        Assert.DoesNotContain("step 1/", onFile.Error);

        string loop = directory.File("loop");
        File.CreateSymbolicLink(loop, loop);
        var onLoop = Train("--tp", "2", "--steps", "3", "--checkpoint-dir", loop);
        Assert.Equal(1, onLoop.ExitCode);
        Assert.Contains($"Checkpoint directory {loop} is a symbolic link that does not resolve", onLoop.Error);
        Assert.DoesNotContain("step 1/", onLoop.Error);
    }

    [MountFact]
    public void AReadOnlyMount_IsRefusedBeforeStep1()
    {
        using var directory = new TempDirectory();
        var result = InMountNamespace(directory.Path, "ro", $"{directory.Path}/ck");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Read-only file system", result.Error);
        Assert.DoesNotContain("step 1/", result.Error);
    }

    [MountFact]
    public void AFullDisk_StopsAtTheCheckpoint_NamingIt_AndLeavesNoPartialStep()
    {
        using var directory = new TempDirectory();
        // 1 MiB holds the lock file but not a rank file of these sizes (about 1.5 MiB each).
        var result = InMountNamespace(directory.Path, "size=1m", $"{directory.Path}/ck", sizes: ["--hidden", "96", "--ffn", "512"], after: $"ls -A '{directory.Path}/ck'");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Training stopped at step 2, checkpoint phase", result.Error);
        Assert.Contains("No space left on device", result.Error);
        Assert.DoesNotContain(".partial", result.Out); // the listing of the directory after the run
    }

    // train with its checkpoint directory on a tmpfs mounted over mountPoint (see CliProcess.InMountNamespace).
    private static CliRunner.Result InMountNamespace(string mountPoint, string mountOptions, string checkpointDir, string[]? sizes = null, string after = "true") =>
        CliProcess.InMountNamespace(mountPoint, mountOptions, ["train", "-D", "tpactors.tensors.backend=managed", .. sizes ?? Small[..8],
            "--tp", "2", "--steps", "4", "--checkpoint-every", "2", "--checkpoint-dir", checkpointDir], after);

    private static string Digest(CliRunner.Result result) =>
        result.Out.Split('\n').Single(l => l.StartsWith("weights sha256: ", StringComparison.Ordinal));
}
