using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using TpActors.Runtime.Transport;

namespace TpActors.Layers.Tests.Cluster;

// A rank's inbox hears at once when a peer's bulk connection breaks (its process died: the kernel closed the socket with
// no goodbye), naming the group and rank that sent on it; a connection its sender closed on purpose says goodbye and
// reports nothing.
public sealed class PeerDisconnectedTests
{
    private static readonly BulkLaneSettings Settings = BulkLaneSettings.Default with { Secret = "s", ConnectTimeout = TimeSpan.FromSeconds(5) };

    [Fact]
    public void ABrokenConnection_IsReportedWithItsGroupAndSender_AndAClosedOneIsNot()
    {
        var inbox = new CollectiveInbox();
        var reports = new BlockingCollection<PeerDisconnected>();
        inbox.OnDisconnected = reports.Add;
        using var lane = BulkLane.Listen(new IPEndPoint(IPAddress.Loopback, 0), Settings, target => target == 1 ? new InboxFrameSink(inbox, 1024) : null);
        var round = new RoundId("run.1", 1, CollectiveOperation.AllReduce);

        using (var closed = lane.Connect(lane.Address, new BulkHello(BulkChannel.Collective, 1)))
            closed.Send(Stall(round, from: 3, out var group), group, []);

        using (var dying = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            dying.Connect(BulkSocket.Parse(lane.Address));
            BulkHandshake.Greet(dying, new BulkHello(BulkChannel.Collective, 1), BulkHandshake.Key(Settings.Secret), lane.Address);
            var header = new byte[BulkFrameHeader.Size];
            Stall(round, from: 2, out var name).Write(header);
            dying.Send(header);
            dying.Send(name);
        } // closed by its "kernel": no goodbye

        Assert.True(reports.TryTake(out var report, TimeSpan.FromSeconds(10)), "the broken connection was never reported");
        Assert.Equal(new PeerDisconnected("run.1", 2), report);
        Assert.False(reports.TryTake(out var more, TimeSpan.FromMilliseconds(500)), $"a connection closed on purpose was reported: {more}");
    }

    [Fact]
    public void AStoppedRanksInbox_ReportsNothing()
    {
        var inbox = new CollectiveInbox();
        int reports = 0;
        inbox.OnDisconnected = _ => Interlocked.Increment(ref reports);
        inbox.Close();
        inbox.Disconnected(new PeerDisconnected("run.1", 0));
        Assert.Equal(0, reports);
    }

    private static BulkFrameHeader Stall(RoundId round, int from, out byte[] group)
    {
        group = System.Text.Encoding.UTF8.GetBytes(round.Group);
        return new BulkFrameHeader(BulkFrameKind.Stalled, group.Length, 0, round.Sequence, (int)round.Operation, 0, 0, from, 0);
    }
}
