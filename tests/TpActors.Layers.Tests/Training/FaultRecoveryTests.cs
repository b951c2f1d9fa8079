using TpActors.Layers.Tests.Simulation;

namespace TpActors.Layers.Tests.Training;

/// <summary>The digest of the fault-free run every recovery must reproduce (TP=2, 6 steps, AdamW).</summary>
public sealed class CleanRun
{
    public CleanRun() => Result = TrainingRuns.Run(TrainingRuns.Options(2, 6)).GetAwaiter().GetResult();

    public TrainingResult Result { get; }
}

// Every fault kind in every phase recovers to the bit-identical weights of the run without faults; hangs are caught in virtual time.
public sealed class FaultRecoveryTests(CleanRun clean) : TensorParallelTestKit, IClassFixture<CleanRun>
{
    public static TheoryData<FaultKind, TrainingPhase> EveryKindInEveryPhase()
    {
        var data = new TheoryData<FaultKind, TrainingPhase>();
        foreach (var kind in new[] { FaultKind.Throw, FaultKind.Hang, FaultKind.Stop })
            foreach (var phase in TrainingPhases.Injectable) data.Add(kind, phase);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryKindInEveryPhase))]
    public async Task Fault_Recovers_ToTheBitIdenticalDigest(FaultKind kind, TrainingPhase phase)
    {
        using var directory = new TempDirectory();
        // Evaluated every 3 steps, so that the evaluation can fail too; the clean run evaluates alike.
        var options = TrainingRuns.Options(2, 6, null, new FaultSpec(1, 3, phase, kind)) with { CheckpointDirectory = directory.Path, CheckpointEvery = 3, EvalEvery = 3, EvalBatches = 1 };
        var result = await Train(options);

        Assert.Equal(clean.Result.WeightsSha256, result.WeightsSha256);
        Assert.True(TrainingRuns.BitIdentical(clean.Result.FinalState!, result.FinalState!), "the optimizer state differs too");
        Assert.Equal(clean.Result.Losses, result.Losses); // each step's loss once: none lost, none applied twice
        Assert.Equal([3L, 6L], result.Validation.Select(v => v.Step));
        var first = result.Recoveries[0];
        Assert.Equal((1, 3L, phase), (first.Rank, first.Step, first.Phase));
        Assert.Equal(kind switch { FaultKind.Throw => FailureKind.Threw, FaultKind.Hang => FailureKind.Hung, _ => FailureKind.Stopped }, first.Kind);
        Assert.Contains(kind switch { FaultKind.Throw => "injected fault", FaultKind.Hang => "did not answer", _ => "stopped" }, first.Cause);
        Assert.True(first.RecoveryTime > TimeSpan.Zero && first.TimeLost >= first.RecoveryTime);
        using var checkpoint = Checkpoint.Load(directory.Path);
        Assert.Equal(6, checkpoint.Metadata.Step);
        Assert.Equal([3L, 6L], CheckpointDirectory.CompleteSteps(directory.Path));
    }

    [Fact]
    public async Task SeveralFaults_OnSeveralRanks_AtTp3_Recover()
    {
        var cleanTp3 = await TrainingRuns.Run(TrainingRuns.Options(3, 6));
        var result = await Train(TrainingRuns.Options(3, 6, null,
            new FaultSpec(2, 1, TrainingPhase.Forward, FaultKind.Throw),
            new FaultSpec(0, 2, TrainingPhase.Optimizer, FaultKind.Stop),
            new FaultSpec(1, 4, TrainingPhase.Backward, FaultKind.Throw),
            new FaultSpec(1, 4, TrainingPhase.Backward, FaultKind.Throw), // fires again on the replay
            new FaultSpec(2, 6, TrainingPhase.Snapshot, FaultKind.Throw)));
        Assert.Equal(cleanTp3.WeightsSha256, result.WeightsSha256);
        Assert.Equal(cleanTp3.Losses, result.Losses);
        Assert.Equal(["2:1:forward", "0:2:optimizer", "1:4:backward", "1:4:backward", "2:6:snapshot"],
            result.Recoveries.Select(r => $"{r.Rank}:{r.Step}:{TrainingPhases.Name(r.Phase)}").Take(5));
    }

    [Fact]
    public async Task TwoRanksFailingInOneStep_AreBothReportedInThatStep_AndTheirTimeIsCountedOnce()
    {
        var result = await Train(TrainingRuns.Options(2, 6, null, new FaultSpec(1, 5, TrainingPhase.Backward, FaultKind.Throw),
            new FaultSpec(0, 5, TrainingPhase.Backward, FaultKind.Throw)));
        Assert.Equal(clean.Result.WeightsSha256, result.WeightsSha256);
        Assert.Equal(2, result.Recoveries.Count);
        Assert.All(result.Recoveries, r => Assert.Equal((5L, TrainingPhase.Backward), (r.Step, r.Phase))); // not "step 4, connect" for the second
        Assert.Equal(result.Recoveries[0].Incident, result.Recoveries[1].Incident);
        Assert.Equal(TimeSpan.Zero, result.Recoveries[1].TimeLost); // the first of the incident counts the time they share
        Assert.True(result.TimeLost <= result.Wall, $"{result.TimeLost} lost in a {result.Wall} run");
    }

    [Fact]
    public async Task AStopAndAHangInOneStep_NameTheStepTheyFailedIn_AndLoseNoMoreThanTheRunTook()
    {
        var result = await Train(TrainingRuns.Options(2, 6, null, new FaultSpec(0, 3, TrainingPhase.Forward, FaultKind.Stop),
            new FaultSpec(1, 3, TrainingPhase.Forward, FaultKind.Hang)));
        Assert.Equal(clean.Result.WeightsSha256, result.WeightsSha256);
        Assert.Equal([(0, 3L, TrainingPhase.Forward, FailureKind.Stopped), (1, 3L, TrainingPhase.Forward, FailureKind.Hung)],
            result.Recoveries.Select(r => (r.Rank, r.Step, r.Phase, r.Kind)).ToList()); // rank 1 hung in step 3's forward, though noticed while re-forming
        Assert.True(result.TimeLost <= result.Wall, $"{result.TimeLost} lost in a {result.Wall} run: overlapping recoveries counted twice");
    }

    [Fact]
    public async Task SparseSnapshots_RollEveryRankBack_AndReplayTheStepsSince()
    {
        var options = TrainingRuns.Options(2, 6, null, new FaultSpec(0, 5, TrainingPhase.Forward, FaultKind.Throw));
        var result = await Train(options with { Settings = options.Settings with { SnapshotEvery = 3 } });
        Assert.Equal(clean.Result.WeightsSha256, result.WeightsSha256);
        Assert.Equal(clean.Result.Losses, result.Losses);
    }

    [Fact]
    public async Task RetriesExhausted_StopsWithAReport_AndTheCheckpointStaysIntact()
    {
        using var directory = new TempDirectory();
        var fault = new FaultSpec(1, 5, TrainingPhase.Backward, FaultKind.Throw);
        var options = TrainingRuns.Options(2, 8, null, fault, fault, fault, fault) with { CheckpointDirectory = directory.Path, CheckpointEvery = 2 };
        options = options with { Settings = options.Settings with { MaxRetries = 3 } };

        var error = await Assert.ThrowsAsync<TrainingFailedException>(() => Train(options));

        Assert.Contains("step 5, backward phase: rank 1", error.Message);
        Assert.Contains("injected fault", error.Message);
        Assert.Contains("max-retries = 3", error.Message);
        Assert.Equal(4, error.Recoveries.Count);
        Assert.EndsWith(CheckpointDirectory.StepDirectoryName(4), error.LastCheckpoint);
        Assert.Contains(error.LastCheckpoint!, error.Message);

        // The checkpoint of step 4 is whole and holds what a clean run had after step 4.
        var cleanAt4 = await TrainingRuns.Run(TrainingRuns.Options(2, 4));
        using var checkpoint = Checkpoint.Load(directory.Path);
        Assert.Equal(4, checkpoint.Metadata.Step);
        Assert.True(TrainingRuns.BitIdentical(cleanAt4.FinalState!, cleanAt4.FinalState!.ToDictionary(t => t.Key, t => checkpoint.Full(t.Key))));
    }

    [Fact]
    public async Task WithSnapshotsOff_AFaultAfterTheFirstUpdate_StopsAndSaysWhy()
    {
        var options = TrainingRuns.Options(2, 4, null, new FaultSpec(0, 3, TrainingPhase.Forward, FaultKind.Throw));
        var error = await Assert.ThrowsAsync<TrainingFailedException>(() => Train(options with { Settings = options.Settings with { SnapshotEvery = 0 } }));
        Assert.Contains("no in-memory snapshot", error.Message);
        Assert.Contains("snapshot-every = 0", error.Message);
    }

    [Fact]
    public async Task WithSnapshotsOff_AFaultInTheFirstStep_RebuildsFromTheSeed()
    {
        var options = TrainingRuns.Options(2, 6, null, new FaultSpec(1, 1, TrainingPhase.Backward, FaultKind.Stop));
        var result = await Train(options with { Settings = options.Settings with { SnapshotEvery = 0 } });
        Assert.Equal(clean.Result.WeightsSha256, result.WeightsSha256);
    }
}
