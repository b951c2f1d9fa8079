using Akka.TestKit.Xunit2;

namespace TpActors.Layers.Tests.Cluster;

// A host keeps its ranks' last three snapshots per run, lends the oldest as the next one's buffer, and drops a run's
// snapshots when its supervisor stops.
public sealed class SnapshotVaultTests : TestKit
{
    private static ShardState State(long step) => new(step, [new ShardTensor("w", ShardAxis.Rows, Tensor.FromArray([step, step], 1, 2))]);

    [Fact]
    public void TheLastThreeSnapshots_AreKept_AndTheOldestIsTheNextBuffer()
    {
        var supervisor = CreateTestProbe().Ref;
        var vault = SnapshotVault.For(Sys);
        Assert.Null(vault.TakeBuffer(supervisor, 0, 1)); // nothing to spare yet
        vault.Keep(supervisor, 0, State(1));
        vault.Keep(supervisor, 0, State(2));
        Assert.Null(vault.TakeBuffer(supervisor, 0, 3)); // 1 is what a recovery restores (its copy confirmed), 2's copy is in flight
        vault.Keep(supervisor, 0, State(3));
        vault.Keep(supervisor, 0, State(4)); // step 1 is dropped
        Assert.Equal(4f, vault.Find(supervisor, 0, 4).Tensors[0].Value[0, 0]);
        Assert.Equal(2f, vault.Find(supervisor, 0, 2).Tensors[0].Value[0, 0]);
        Assert.Contains("(it has: 2, 3, 4)", Assert.Throws<InvalidOperationException>(() => vault.Find(supervisor, 0, 1)).Message);
        using var buffer = vault.TakeBuffer(supervisor, 0, 5);
        Assert.Equal(2, buffer!.Step);
        Assert.Throws<InvalidOperationException>(() => vault.Find(supervisor, 1, 3)); // another rank's are its own
    }

    [Fact]
    public void AReplayedStep_ReplacesTheSnapshotTakenBeforeTheFailure()
    {
        var supervisor = CreateTestProbe().Ref;
        var vault = SnapshotVault.For(Sys);
        vault.Keep(supervisor, 0, State(4));
        vault.Keep(supervisor, 0, State(5));
        vault.Keep(supervisor, 0, State(5)); // step 5 again, after a recovery to step 4
        Assert.Equal(4, vault.Find(supervisor, 0, 4).Step);
        Assert.Equal(5, vault.Find(supervisor, 0, 5).Step);
    }

    [Fact]
    public void AReplayedStep_IsWrittenIntoTheUncommittedSnapshot_NeverTheCommittedOne()
    {
        var supervisor = CreateTestProbe().Ref;
        var vault = SnapshotVault.For(Sys);
        vault.Keep(supervisor, 0, State(4)); // committed
        vault.Keep(supervisor, 0, State(5)); // taken, then the step failed before its commit: step 5 is replayed from 4
        using var buffer = vault.TakeBuffer(supervisor, 0, 5);
        Assert.Equal(5, buffer!.Step);
        Assert.Equal(4, vault.Find(supervisor, 0, 4).Step); // what a second failure in the replay restores from
    }

    [Fact]
    public void ARunsSnapshots_AreDropped_WhenItsSupervisorStops()
    {
        var supervisor = CreateTestProbe();
        var vault = SnapshotVault.For(Sys);
        vault.Keep(supervisor.Ref, 0, State(1));
        Sys.Stop(supervisor.Ref);
        AwaitAssert(() => Assert.Throws<InvalidOperationException>(() => vault.Find(supervisor.Ref, 0, 1)), TimeSpan.FromSeconds(5));
    }
}
