using TpActors.Layers.Verification;

namespace TpActors.Layers.Tests.Cluster;

// verify with its ranks on three hosts of an in-process cluster: every check passes, and every tensor it reports is
// bit-identical to one process's (inputs and outputs cross the bulk lane in bulk-lane tickets).
[Collection(nameof(InProcessClusters))]
public sealed class ClusterVerificationTests
{
    [Fact]
    public async Task VerifyOverThreeHosts_MatchesOneProcess_BitForBit()
    {
        var options = VerifyOptions.FromConfig(Runtime.Configuration.ConfigFactory.Reference) with { Tp = 3, Hidden = 10, Ffn = 14, Batch = 5 };
        var settings = RankGroups.Settings(chunkFloats: 16);
        var system = ActorSystem.Create("verify-single");
        VerifyReport single;
        try
        {
            single = await TensorParallelVerification.RunAsync(system, options, settings);
        }
        finally
        {
            await system.Terminate();
        }

        await using var cluster = await InProcessCluster.StartAsync(hosts: 3, slots: 1);
        await using var lease = await cluster.LeaseAsync("verify-test", 3);
        Assert.Equal(3, lease.Ranks.Select(r => r.Node).Distinct().Count());
        var distributed = await TensorParallelVerification.RunAsync(cluster.Driver, options, settings, lease.Ranks);

        Assert.True(distributed.Passed, string.Join("; ", distributed.Checks.Where(c => !c.Passed).Select(c => c.Name)));
        Assert.Equal(single.Checks.Select(c => (c.Name, c.MaxAbsError)), distributed.Checks.Select(c => (c.Name, c.MaxAbsError)));
        Assert.Equal(single.Tensors.Select(t => t.File), distributed.Tensors.Select(t => t.File));
        foreach (var (one, other) in single.Tensors.Zip(distributed.Tensors))
            Assert.True(one.Tensor.ToArray().Select(BitConverter.SingleToInt32Bits).SequenceEqual(other.Tensor.ToArray().Select(BitConverter.SingleToInt32Bits)), $"{one.File} differs");
    }
}
