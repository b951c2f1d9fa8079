using TpActors.Layers.Tests.Training;

namespace TpActors.Layers.Tests.Simulation;

// The README's in-test simulation, as written there: a whole TP group in one process, a hung rank, virtual time.
public sealed class SimulationExampleTests : TensorParallelTestKit
{
    [Fact]
    public async Task AHungRank_IsReplaced_AndTheRunEndsBitIdentical()
    {
        var recoveries = CreateTestProbe();
        Sys.EventStream.Subscribe(recoveries.Ref, typeof(RankRecovering));   // what the CLI's progress bar listens to

        var clean = await Train(TrainingRuns.Options(tp: 2, steps: 4));
        var hang = new FaultSpec(Rank: 1, Step: 2, TrainingPhase.Backward, FaultKind.Hang);
        var faulty = await Train(TrainingRuns.Options(tp: 2, steps: 4, faults: hang));  // the hang is caught in virtual time

        Assert.Equal(clean.WeightsSha256, faulty.WeightsSha256);            // no step lost, none applied twice
        var recovery = recoveries.ExpectMsg<RankRecovering>().Recovery;
        Assert.Equal((1, 2L, FailureKind.Hung), (recovery.Rank, recovery.Step, recovery.Kind));
    }
}
