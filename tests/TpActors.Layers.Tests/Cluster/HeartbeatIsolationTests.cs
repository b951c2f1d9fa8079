using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Cluster;

namespace TpActors.Layers.Tests.Cluster;

// Tensor bytes never share a lane with Akka's heartbeats: a 256 MiB all-reduce loop between two hosts for 20 s leaves every
// member reachable (with reference.conf's failure detector, tuned to notice a dead node in about 2 s).
[Collection(nameof(InProcessClusters))]
public sealed class HeartbeatIsolationTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A256MiBAllReduceLoop_For20s_MarksNoMemberUnreachable()
    {
        await using var cluster = await InProcessCluster.StartAsync(hosts: 2, slots: 1, sharedProcessFailureDetector: false);
        var unreachable = new ConcurrentQueue<string>();
        cluster.Driver.ActorOf(Props.Create(() => new ReachabilityWatcher(unreachable)));
        foreach (var host in cluster.Hosts) host.System.ActorOf(Props.Create(() => new ReachabilityWatcher(unreachable)));
        await using var lease = await cluster.LeaseAsync("heartbeat-test", 2);
        await using var group = await TensorParallelGroup.StartAsync(cluster.Driver, 2, RankGroups.Settings(chunkFloats: 65536, timeout: TimeSpan.FromSeconds(60)), "heartbeat", lease.Ranks);

        const int floats = 256 << 20 >> 2; // 256 MiB per rank
        int rounds = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await group.AskAll<double>(_ => new TimeCollective(group.Name, CollectiveOperation.AllReduce, floats, 1, 0));
            rounds++;
        }
        output.WriteLine($"{rounds} all-reduces of 256 MiB in {clock.Elapsed.TotalSeconds:0.0}s");
        Assert.True(rounds > 0);
        Assert.Empty(unreachable);
        Assert.All(cluster.Hosts.Select(h => Akka.Cluster.Cluster.Get(h.System).State.Unreachable), Assert.Empty);
    }

    // Records every member any node saw become unreachable.
    private sealed class ReachabilityWatcher : ReceiveActor
    {
        public ReachabilityWatcher(ConcurrentQueue<string> unreachable)
        {
            Receive<ClusterEvent.UnreachableMember>(e => unreachable.Enqueue($"{Context.System.Name} saw {e.Member.Address} unreachable"));
            Receive<ClusterEvent.CurrentClusterState>(_ => { });
        }

        protected override void PreStart() => Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, typeof(ClusterEvent.UnreachableMember));
    }
}
