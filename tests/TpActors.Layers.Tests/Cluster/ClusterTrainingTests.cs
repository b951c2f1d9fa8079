using TpActors.Layers.Tests.Training;

namespace TpActors.Layers.Tests.Cluster;

// Training with ranks on two hosts of an in-process cluster ends bit-identical to training in one process.
[Collection(nameof(InProcessClusters))]
public sealed class ClusterTrainingTests
{
    [Theory]
    [InlineData("")]
    [InlineData("tpactors.cluster.bulk.shm-ring = 64 KiB")] // chunks through a small /dev/shm ring: it wraps, and fills
    public async Task TrainingOverTwoHosts_EndsWithTheWeightsOfOneProcess(string settings)
    {
        // Wide enough that a ring segment (8 KiB) goes through shared memory when a ring is on.
        var options = TrainingRuns.Options(4, 6) with
        {
            Model = TrainingRuns.Model with { Hidden = 256, Ffn = 512 },
            Task = TrainingRuns.Task with { Batch = 32 },
            Ranks = RankGroups.Settings(chunkFloats: 4096),
        };
        var single = await TrainingRuns.Run(options);

        await using var cluster = await InProcessCluster.StartAsync(hosts: 2, slots: 2, settings);
        await using var lease = await cluster.LeaseAsync("train-test", 4);
        // Ranks fill the hosts in address order: two on the first, two on the second.
        var hosts = cluster.Hosts.Select(h => Akka.Cluster.Cluster.Get(h.System).SelfAddress).OrderBy(a => a, Akka.Cluster.Member.AddressOrdering).ToList();
        Assert.Equal([hosts[0], hosts[0], hosts[1], hosts[1]], lease.Ranks.Select(r => r.Node));
        var distributed = await TrainingRun.RunAsync(cluster.Driver, options with { Placement = lease.Ranks });

        Assert.Equal(single.WeightsSha256, distributed.WeightsSha256);
        Assert.Equal(single.Losses, distributed.Losses);
        Assert.True(TrainingRuns.BitIdentical(single.FinalState!, distributed.FinalState!));
    }
}
