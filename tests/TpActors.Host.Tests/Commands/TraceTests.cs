using System.Text.Json;

namespace TpActors.Host.Tests.Commands;

// `train --trace FILE`: the Chrome trace-event timeline, as Perfetto reads it.
public sealed class TraceTests
{
    private static readonly string[] StepPhases = ["batch", "forward", "loss", "backward", "optimizer", "snapshot"];

    private sealed record Event(string Name, string Ph, string? Category, double Ts, double Dur, int Pid, int Tid, long Step, long Attempt, JsonElement Args)
    {
        public bool Holds(Event inner) => inner.Ts >= Ts - 0.5 && inner.Ts + inner.Dur <= Ts + Dur + 0.5; // microseconds; ticks round to 0.1
    }

    [Fact]
    public void EveryPhaseOfEveryStep_IsThere_NestedInItsStep_WithItsCollectivesInside_AndTheRecoveryIsMarked()
    {
        using var dir = new TempDirectory();
        string path = dir.File("run.trace.json");
        var result = CliRunner.Run("train", "--tp", "2", "--steps", "6", "--fault", "1:4:backward", "--trace", path, "-D", "tpactors.tensors.backend=managed");
        Assert.True(result.ExitCode == 0, result.Error);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal("ms", json.RootElement.GetProperty("displayTimeUnit").GetString());
        var events = json.RootElement.GetProperty("traceEvents").EnumerateArray().Select(e => new Event(
            e.GetProperty("name").GetString()!, e.GetProperty("ph").GetString()!, e.TryGetProperty("cat", out var c) ? c.GetString() : null,
            e.TryGetProperty("ts", out var ts) ? ts.GetDouble() : 0, e.TryGetProperty("dur", out var dur) ? dur.GetDouble() : 0,
            e.GetProperty("pid").GetInt32(), e.GetProperty("tid").GetInt32(),
            e.TryGetProperty("args", out var a) && a.TryGetProperty("step", out var s) ? s.GetInt64() : -1,
            e.TryGetProperty("args", out var b) && b.TryGetProperty("attempt", out var t) ? t.GetInt64() : -1,
            e.TryGetProperty("args", out var args) ? args.Clone() : default)).ToList();

        Assert.Contains(events, e => e is { Ph: "M", Name: "process_name" });
        Assert.Equal(2, events.Count(e => e is { Ph: "M", Name: "thread_name" }));
        for (int rank = 0; rank < 2; rank++)
            for (int step = 1; step <= 6; step++)
            {
                // The step's last attempt on this rank (step 4 ran twice: the fault, then the replay).
                var stepEvent = events.Where(e => e.Category == "step" && e.Tid == rank && e.Step == step).MaxBy(e => e.Attempt)!;
                Assert.NotNull(stepEvent);
                foreach (string phase in StepPhases)
                {
                    var p = events.Single(e => e.Category == "phase" && e.Name == phase && e.Tid == rank && e.Step == step && e.Attempt == stepEvent.Attempt);
                    Assert.Equal(stepEvent.Pid, p.Pid);
                    Assert.True(p.Ts >= stepEvent.Ts - 1e-6 && p.Ts + p.Dur <= stepEvent.Ts + stepEvent.Dur + 1e-6, $"rank {rank} step {step} {phase} is not inside its step");
                    Assert.True(p.Dur >= 0);
                    // Its collectives lie inside it: the MLP's row-parallel layer all-reduces its output in forward, the
                    // column-parallel one its input's gradient in backward.
                    var collectives = events.Where(e => e.Category == "collective" && e.Tid == rank && e.Step == step && e.Attempt == stepEvent.Attempt && p.Holds(e)).ToList();
                    if (phase is "forward" or "backward") Assert.Contains(collectives, c => c.Name == "all-reduce");
                    foreach (var c in collectives)
                    {
                        Assert.Equal("in-process", c.Args.GetProperty("link").GetString());
                        Assert.Equal(2, c.Args.GetProperty("ranks").GetInt32());
                        Assert.True(c.Args.GetProperty("bytes").GetInt64() > 0 || c.Name == "barrier");
                    }
                    if (phase is "forward" or "backward") Assert.True(p.Args.GetProperty("gemm_gflops").GetDouble() > 0, $"rank {rank} step {step} {phase} ran no GEMM");
                }
            }
        var recovery = Assert.Single(events, e => e.Ph == "i");
        Assert.Equal("recovery: rank 1, threw", recovery.Name);
        Assert.Equal(4, recovery.Step);
        // Once the group ran again, the time the recovery took is a span on the failed rank's row.
        var recovering = Assert.Single(events, e => e is { Category: "recovery", Ph: "X" });
        Assert.Equal(("recovering: rank 1", 1, 4L), (recovering.Name, recovering.Tid, recovering.Step));
        Assert.True(recovering.Dur > 0 && recovering.Args.GetProperty("time_lost_ms").GetDouble() > 0);
        // Every collective lies inside a phase of its rank and step.
        Assert.All(events.Where(e => e.Category == "collective"), c =>
            Assert.Contains(events, p => p.Category == "phase" && p.Tid == c.Tid && p.Step == c.Step && p.Attempt == c.Attempt && p.Holds(c)));
        Assert.Contains(events, e => e is { Category: "phase", Name: "join" });
    }

    [Fact]
    public void ATraceWithNowhereToGo_IsAUsageError()
    {
        using var dir = new TempDirectory();
        var result = CliRunner.Run("train", "--steps", "1", "--trace", dir.File("missing/run.json"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--trace", result.Error);
        Assert.Contains("name a file in a directory that exists", result.Error);
    }
}
