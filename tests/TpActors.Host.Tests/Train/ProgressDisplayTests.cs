using TpActors.Host.Train;
using Akka.Actor;
using TpActors.Runtime.Configuration;
using TpActors.Layers.Models;
using TpActors.Layers.Training;

namespace TpActors.Host.Tests.Train;

// The live progress bar a terminal shows: drawn through a real run, and through a real pseudo-terminal.
public sealed class ProgressDisplayTests
{
    private static readonly string[] Small = ["--layers", "1", "--hidden", "12", "--ffn", "20", "--batch", "4", "-D", "tpactors.tensors.backend=managed"];

    [Fact]
    public async Task LiveBar_DrawnThroughARealRun_EndsAtTheLastStep()
    {
        var output = new StringWriter();
        var progress = new ProgressDisplay(output, interactive: true);
        var options = TrainingOptions.FromConfig(ConfigFactory.Reference) with
        {
            Tp = 2,
            Steps = 6,
            Model = (MlpStackSpec)TrainingOptions.FromConfig(ConfigFactory.Reference).Model with { Layers = 1, Hidden = 12, Ffn = 20 },
        };
        var system = ActorSystem.Create("progress-tests");
        try
        {
            var result = await TrainingRun.RunAsync(system, options with { Task = options.Task with { Batch = 4 } }, progress.Observer);
            Assert.Equal(6, result.Steps);
        }
        finally
        {
            await system.Terminate();
        }
        progress.Close();
        string text = output.ToString();
        Assert.StartsWith("\r[", text); // the first step is drawn at once, not held back by the redraw interval
        Assert.Contains("\r[########################] step 6/6", text);
        Assert.EndsWith("\x1b[K" + Environment.NewLine, text); // Close ends the live line
    }

    [Fact]
    public async Task Observer_ThatThrows_DoesNotStopTheRun()
    {
        var options = TrainingOptions.FromConfig(ConfigFactory.Reference);
        options = options with { Tp = 2, Steps = 3, Model = (MlpStackSpec)options.Model with { Layers = 1, Hidden = 8, Ffn = 8 }, Task = options.Task with { Batch = 2 } };
        var system = ActorSystem.Create("observer-tests");
        try
        {
            var observer = new TrainingObserver { Step = _ => throw new InvalidOperationException("a broken display") };
            var result = await TrainingRun.RunAsync(system, options, observer);
            Assert.Equal(3, result.Steps);
            Assert.Empty(result.Recoveries); // a failing observer is not a failing rank
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public void Train_InAPseudoTerminal_DrawsTheBar_AndExits0()
    {
        Assert.True(File.Exists("/usr/bin/script"), "util-linux 'script' provides the pseudo-terminal; it is part of every Debian system");
        var start = CliProcess.Program("/usr/bin/script", ["-qec", CliProcess.ShellCommand(["train", "--tp", "2", "--steps", "8", .. Small]), "/dev/null"]);
        var result = CliProcess.Run(start);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Out}{result.Error}");
        Assert.Contains("] step 8/8", result.Out); // the pty merges stdout and stderr
        Assert.Contains("weights sha256: ", result.Out);
    }
}
