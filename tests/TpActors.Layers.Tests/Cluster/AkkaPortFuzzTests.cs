using System.Net.Sockets;
using Akka.Cluster;
using TpActors.Layers.Tests.Training;
using TpActors.Runtime.Cluster;

namespace TpActors.Layers.Tests.Cluster;

// Random bytes at a host's Akka.Remote port (its DotNetty transport) from strangers: the host stays Up in the cluster and a
// job placed on it after the garbage trains to the weights of one process.
[Collection(nameof(InProcessClusters))]
public sealed class AkkaPortFuzzTests
{
    [Fact]
    public async Task RandomBytesAtAHostsAkkaPort_LeaveItUpAndServingJobs()
    {
        await using var cluster = await InProcessCluster.StartAsync(hosts: 2, slots: 2);
        var target = NodeAddress.Parse(cluster.Hosts[1].Address, "the host");
        var random = new Random(11);
        for (int i = 0; i < 500; i++)
        {
            using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await stranger.ConnectAsync(target.Host, target.Port);
            var noise = new byte[random.Next(1, 8192)];
            random.NextBytes(noise);
            if (i % 2 == 0) BitConverter.GetBytes(random.Next()).CopyTo(noise, 0); // a frame length prefix, often absurd
            try
            {
                await stranger.SendAsync(noise);
            }
            catch (SocketException)
            {
                // the host hung up first: that is what it should do
            }
        }

        var members = Akka.Cluster.Cluster.Get(cluster.Driver).State.Members;
        Assert.Equal(3, members.Count(m => m.Status == MemberStatus.Up)); // two hosts and the driver: nobody was downed
        var options = TrainingRuns.Options(4, 3);
        var single = await TrainingRuns.Run(options);
        await using var lease = await cluster.LeaseAsync("after-noise", 4);
        var distributed = await TrainingRun.RunAsync(cluster.Driver, options with { Placement = lease.Ranks, Placer = lease });
        Assert.Equal(single.WeightsSha256, distributed.WeightsSha256);
    }
}
