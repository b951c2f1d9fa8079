using System.Diagnostics;

namespace TpActors.Host.Tests.Train;

// Ctrl-C and SIGTERM on a real train process: the step in flight is finished and saved, the exit code is the signal's,
// and a second Ctrl-C ends the process at once.
public sealed class InterruptTests
{
    private const int SigInt = 2, SigTerm = 15;

    private static readonly string[] Small = ["--layers", "1", "--hidden", "12", "--ffn", "20", "--batch", "4", "-D", "tpactors.tensors.backend=managed", "--tp", "2"];

    [Theory]
    [InlineData(SigInt, 130)]
    [InlineData(SigTerm, 143)]
    public async Task TheFirstSignal_FinishesTheStep_SavesIt_AndResumingLosesNothing(int signal, int exitCode)
    {
        using var directory = new TempDirectory();
        using var run = Process.Start(CliProcess.StartInfo(["train", .. Small, "--steps", "100000000", "--checkpoint-dir", directory.Path,
            "--checkpoint-every", "50", "-D", "tpactors.training.checkpoint-keep=2"]))!;
        var stdout = run.StandardOutput.ReadToEndAsync();
        WaitForLine(run, "checkpoint: "); // it is training
        Assert.Equal(0, Kill(run.Id, signal));
        string error = await run.StandardError.ReadToEndAsync();
        await run.WaitForExitAsync();
        Assert.True(run.ExitCode == exitCode, $"exit {run.ExitCode}: {error}");
        Assert.Contains("finishing the current step and saving it", error);
        var hint = System.Text.RegularExpressions.Regex.Match(error, @"stopped after step (\d+); resume with: tpactors train --resume (\S+) --steps 100000000");
        Assert.True(hint.Success, error);
        long stopped = long.Parse(hint.Groups[1].Value);
        Assert.Equal($"step-{stopped:D8}", File.ReadAllText(Path.Combine(directory.Path, "latest")).Trim()); // the step it stopped at was saved
        Assert.Contains($"steps:      1…{stopped} ", await stdout);

        var resumed = CliRunner.Run(["train", "-D", "tpactors.tensors.backend=managed", "--tp", "2", "--steps", $"{stopped + 3}", "--resume", hint.Groups[2].Value]);
        var uninterrupted = CliRunner.Run(["train", .. Small, "--steps", $"{stopped + 3}"]);
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Equal(Digest(uninterrupted.Out), Digest(resumed.Out));
    }

    [Fact]
    public void ASecondCtrlC_EndsTheProcessAtOnce_WhenTheStepCannotFinish()
    {
        // Rank 0 hangs in step 3 and the timeouts are long, so only the second Ctrl-C can end the run.
        using var run = Process.Start(CliProcess.StartInfo(["train", .. Small, "--steps", "10", "--fault", "0:3:forward:hang",
            "-D", "tpactors.training.phase-timeout=10m", "-D", "tpactors.training.collective-timeout=5m"]))!;
        WaitForLine(run, "step 2/10");
        Assert.Equal(0, Kill(run.Id, SigInt));
        WaitForLine(run, "Ctrl-C: finishing the current step");
        Assert.Equal(0, Kill(run.Id, SigInt));
        string rest = run.StandardError.ReadToEnd();
        Assert.True(run.WaitForExit(TimeSpan.FromMinutes(2)), "the second Ctrl-C did not end the process");
        Assert.Equal(130, run.ExitCode);
        Assert.Contains("Ctrl-C again: stopping at once", rest);
    }

    private static void WaitForLine(Process process, string start)
    {
        string? line;
        while ((line = process.StandardError.ReadLine()) is not null && !line.StartsWith(start, StringComparison.Ordinal)) { }
        if (line is null) Assert.Fail($"the process ended before printing a line starting '{start}': {process.StandardError.ReadToEnd()}");
    }

    private static string Digest(string output) => output.Split('\n').Single(l => l.StartsWith("weights sha256: ", StringComparison.Ordinal));

    // Sends a signal as a user would, with kill(1).
    private static int Kill(int pid, int signal)
    {
        using var kill = Process.Start("kill", ["-s", signal == SigInt ? "INT" : "TERM", pid.ToString()])!;
        kill.WaitForExit();
        return kill.ExitCode;
    }
}
