namespace TpActors.Layers.Tests.Cluster;

// A snapshot's copy between two hosts of a real in-process cluster: the tensors go from the snapshot straight onto the
// lane (in pieces when a tensor is larger than the shared-memory ring carries at once) and into the buddy vault's
// memory, bit for bit; later copies reuse that memory; a rank placed anew fetches the copy back.
[Collection(nameof(InProcessClusters))]
public sealed class SnapshotCopyTests
{
    private static ShardState State(long step, int large)
    {
        var values = new float[large];
        for (int i = 0; i < values.Length; i++) values[i] = step * 1e-3f + i * 1e-7f;
        return new ShardState(step,
        [
            new ShardTensor("blocks.0.fc1.weight", ShardAxis.Rows, Tensor.FromArray(values, 1024, large / 1024)),
            new ShardTensor("blocks.0.fc1.bias", ShardAxis.Rows, Tensor.VectorFrom([step, -step, 0.5f])),
            new ShardTensor("empty", ShardAxis.Replicated, Tensor.VectorFrom([])),
        ]);
    }

    [Fact]
    public async Task ACopy_ArrivesBitForBit_ReusesItsMemory_AndIsFetchedBack()
    {
        await using var cluster = await InProcessCluster.StartAsync(hosts: 2, slots: 1);
        var (from, to) = (cluster.Hosts[0].System, cluster.Hosts[1].System);
        var supervisor = from.ActorOf(Akka.Actor.Props.Empty, "supervisor");
        var keeperThere = await from.ActorSelection($"{Akka.Cluster.Cluster.Get(cluster.Hosts[1].System).SelfAddress}/system/{SnapshotVault.Name}").ResolveOne(TimeSpan.FromSeconds(10));
        var buddy = new CollectiveEndpoint(keeperThere, 1, cluster.Hosts[1].Lane);
        var vault = SnapshotVault.For(from);
        var supervisorThere = await to.ActorSelection(supervisor.Path.ToStringWithAddress(Akka.Cluster.Cluster.Get(from).SelfAddress)).ResolveOne(TimeSpan.FromSeconds(10)); // as the buddy's vault names the run
        int large = 6 << 20; // 24 MiB: more than a quarter of the 64 MiB ring, so it travels in two pieces

        Tensor? firstCopy = null;
        for (long step = 1; step <= 5; step++)
        {
            using var snapshot = State(step, large);
            vault.Replicate(supervisor, 3, snapshot, buddy, TimeSpan.FromSeconds(30));
            var kept = SnapshotVault.For(to).Find(supervisorThere, 3, step);
            Assert.Equal(snapshot.Layout, kept.Layout);
            for (int t = 0; t < snapshot.Tensors.Count; t++) Assert.True(snapshot.Tensors[t].Value.Span.SequenceEqual(kept.Tensors[t].Value.Span), $"tensor {t} of step {step} differs");
            firstCopy ??= kept.Tensors[0].Value;
            if (step == 4) Assert.Same(firstCopy, kept.Tensors[0].Value); // the oldest of three kept copies was written over, not a new one made
        }

        using var fetched = vault.Fetch(supervisor, 3, 4, Akka.Cluster.Cluster.Get(cluster.Hosts[1].System).SelfAddress, TimeSpan.FromSeconds(30));
        using var expected = State(4, large);
        Assert.Equal(expected.Layout, fetched.Layout);
        for (int t = 0; t < expected.Tensors.Count; t++) Assert.True(expected.Tensors[t].Value.Span.SequenceEqual(fetched.Tensors[t].Value.Span), $"tensor {t} fetched differs");
    }

    [Fact]
    public async Task ACopyTheBuddyCannotTake_IsRefusedWithItsReason()
    {
        await using var cluster = await InProcessCluster.StartAsync(hosts: 2, slots: 1, "tpactors.cluster.bulk.max-blob = 1 KiB");
        var from = cluster.Hosts[0].System;
        var supervisor = from.ActorOf(Akka.Actor.Props.Empty, "supervisor");
        var keeperThere = await from.ActorSelection($"{Akka.Cluster.Cluster.Get(cluster.Hosts[1].System).SelfAddress}/system/{SnapshotVault.Name}").ResolveOne(TimeSpan.FromSeconds(10));
        using var snapshot = State(1, 1024 * 2);
        var buddy = new CollectiveEndpoint(keeperThere, 1, cluster.Hosts[1].Lane);
        var error = Assert.Throws<IOException>(() => { SnapshotVault.For(from).Replicate(supervisor, 0, snapshot, buddy, TimeSpan.FromSeconds(30)); });
        Assert.Contains("larger than the 1024 bytes this lane accepts (tpactors.cluster.bulk.max-blob)", error.Message);
    }
}
