using TpActors.Layers.Tests.Simulation;

namespace TpActors.Layers.Tests.Training;

// A training run's progress, recoveries and checkpoints are events on Akka's EventStream; listeners only watch.
public sealed class TrainingEventsTests : TensorParallelTestKit
{
    [Fact]
    public async Task ARun_PublishesEveryCommittedStep_ItsRecoveries_AndItsCheckpoints_InOrder()
    {
        using var directory = new TempDirectory();
        var events = CreateTestProbe();
        foreach (var type in new[] { typeof(StepCommitted), typeof(RankRecovering), typeof(CheckpointCommitted) }) Sys.EventStream.Subscribe(events.Ref, type);
        var timings = new List<PhaseTimed>();
        var timed = new TrainingObserver { Phase = p => { lock (timings) timings.Add(p); } };
        var options = TrainingRuns.Options(2, 4, null, new FaultSpec(0, 3, TrainingPhase.Backward, FaultKind.Throw))
            with { CheckpointDirectory = directory.Path, CheckpointEvery = 2 };

        var result = await TrainingRun.RunAsync(Sys, options, timed);

        // Every rank's every step phase is timed, on the rank's clock; step 3's backward once, in the replay after the fault
        // (the failed attempt's is not counted: rank 0 threw and rank 1's collective was aborted).
        lock (timings)
        {
            foreach (int rank in new[] { 0, 1 })
                for (int step = 1; step <= 4; step++)
                    foreach (var phase in new[] { TrainingPhase.Batch, TrainingPhase.Forward, TrainingPhase.Loss, TrainingPhase.Backward, TrainingPhase.Optimizer })
                        Assert.Contains(timings, t => t.Rank == rank && t.Round.Step == step && t.Round.Phase == phase && t.StartedUtcTicks > 0 && t.ElapsedTicks > 0);
            var replayed = Assert.Single(timings, t => t.Rank == 0 && t.Round.Step == 3 && t.Round.Phase == TrainingPhase.Backward);
            Assert.True(replayed.Round.Attempt > timings.First(t => t.Round.Step == 1).Round.Attempt, "the backward of step 3 timed is the replay's");
        }
        var seen = events.ReceiveN(7).Cast<TrainingEvent>().ToList(); // 4 steps, 1 recovery, 2 checkpoints
        Assert.All(seen, e => Assert.Equal(seen[0].Run, e.Run));
        Assert.Equal(["step 1", "step 2", "checkpoint step-00000002", "recovery 0:3", "step 3", "step 4", "checkpoint step-00000004"],
            seen.Select(e => e switch
            {
                StepCommitted s => $"step {s.Progress.Step}",
                RankRecovering r => $"recovery {r.Recovery.Rank}:{r.Recovery.Step}",
                CheckpointCommitted c => $"checkpoint {Path.GetFileName(c.Directory)}",
                _ => e.ToString(),
            }));
        Assert.Equal(result.Losses, seen.OfType<StepCommitted>().Select(s => s.Progress.Loss));
        events.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task AnObserverThatThrows_IsLogged_AndTheRunGoesOn()
    {
        var observer = new TrainingObserver { Step = _ => throw new InvalidOperationException("a broken display") };

        var result = await EventFilter.Warning(contains: "A training observer failed").ExpectAsync(3,
            () => TrainingRun.RunAsync(Sys, TrainingRuns.Options(2, 3), observer));

        Assert.Equal(3, result.Steps);
        Assert.Empty(result.Recoveries); // a failing observer is not a failing rank
    }
}
