using System.Net;
using System.Net.Sockets;
using TpActors.Runtime.Transport;

namespace TpActors.Runtime.Tests.Transport;

// The bulk lane over real loopback sockets: frames arrive whole and in order, blobs meet their claims, and a peer without
// the secret or with a bad frame is cut off without harm.
public sealed class BulkLaneTests
{
    private static readonly BulkLaneSettings Settings = BulkLaneSettings.Default with { Secret = "s3cret", BlobTimeout = TimeSpan.FromSeconds(10), MaxBlobBytes = 1 << 20 };

    [Fact]
    public void Frames_ArriveWholeAndInOrder_IntoTheSinkOfTheirTarget()
    {
        var sink = new RecordingSink();
        using var lane = BulkLane.Listen(new IPEndPoint(IPAddress.Loopback, 0), Settings, target => target == 7 ? sink : null);
        using (var connection = lane.Connect(lane.Address, new BulkHello(BulkChannel.Collective, 7)))
        {
            for (int i = 0; i < 50; i++)
            {
                var payload = Enumerable.Range(0, 1000 * i).Select(n => (byte)(n + i)).ToArray(); // small frames ride with the header, large ones do not
                connection.Send(new BulkFrameHeader(BulkFrameKind.Abort, 3, payload.Length, i, 0, 0, 0, 0, 0), "grp"u8, payload);
            }
        }
        Assert.True(sink.Closed.Wait(TimeSpan.FromSeconds(10)), "the lane never saw the connection close");
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), sink.Frames.Select(f => f.Header.Sequence));
        Assert.All(sink.Frames, f => Assert.Equal(Enumerable.Range(0, 1000 * (int)f.Header.Sequence).Select(n => (byte)(n + f.Header.Sequence)), f.Payload));
        Assert.All(sink.Frames, f => Assert.Equal("grp", f.Group));
    }

    [Fact]
    public void AConnectionClosedOnPurpose_SaysGoodbye_AndOneCutOff_IsBroken()
    {
        var polite = new RecordingSink();
        var cut = new RecordingSink();
        using var lane = BulkLane.Listen(new IPEndPoint(IPAddress.Loopback, 0), Settings, target => target == 1 ? polite : cut);
        using (var connection = lane.Connect(lane.Address, new BulkHello(BulkChannel.Collective, 1)))
            connection.Send(new BulkFrameHeader(BulkFrameKind.Stalled, 3, 0, 1, 0, 0, 0, 4, 0), "grp"u8, []);

        // As a process that dies mid-run leaves it: greeted and framed, then closed by its kernel with no goodbye.
        using (var dying = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            dying.Connect(BulkSocket.Parse(lane.Address));
            BulkHandshake.Greet(dying, new BulkHello(BulkChannel.Collective, 2), BulkHandshake.Key(Settings.Secret), lane.Address);
            var frame = new byte[BulkFrameHeader.Size + 3];
            new BulkFrameHeader(BulkFrameKind.Stalled, 3, 0, 1, 0, 0, 0, 4, 0).Write(frame);
            "grp"u8.CopyTo(frame.AsSpan(BulkFrameHeader.Size));
            dying.Send(frame);
        }

        Assert.True(polite.Closed.Wait(TimeSpan.FromSeconds(10)) && cut.Closed.Wait(TimeSpan.FromSeconds(10)), "the lane never saw the connections close");
        Assert.False(polite.Broken);
        Assert.True(cut.Broken);
        Assert.Single(polite.Frames);
        Assert.Single(cut.Frames);
    }

    [Fact]
    public async Task ABlob_MeetsItsClaim_InEitherOrder()
    {
        using var lane = BulkLane.Listen(new IPEndPoint(IPAddress.Loopback, 0), Settings, _ => null);
        var early = lane.Blobs.ClaimAsync(1);
        lane.SendBlob(lane.Address, 1, [1, 2, 3]);
        lane.SendBlob(lane.Address, 2, [4, 5]);
        Assert.Equal([1, 2, 3], await early);
        Assert.Equal([4, 5], await lane.Blobs.ClaimAsync(2));
        Assert.Equal(0, lane.Blobs.Pending);
    }

    [Fact]
    public async Task ABlobInParts_IsReadStraightIntoItsTarget_AndOneOutOfTurnFailsIt()
    {
        using var lane = BulkLane.Listen(new IPEndPoint(IPAddress.Loopback, 0), Settings, _ => null);
        var target = new Target(new byte[70_000], [], new byte[5]); // an empty part travels as one empty piece
        var arrival = lane.Blobs.ExpectAsync(11, target);
        byte[][] sent = [Enumerable.Range(0, 70_000).Select(i => (byte)i).ToArray(), [], [9, 8, 7, 6, 5]];
        lane.SendBlob(lane.Address, 11, sent.Length, i => sent[i]);
        await arrival;
        Assert.Equal(sent, target.Buffers);
        Assert.Equal(0, lane.Blobs.Pending); // nothing went into the store as a loose blob

        var wrong = new Target(new byte[4], new byte[4]);
        var refused = lane.Blobs.ExpectAsync(12, wrong);
        byte[][] swapped = [new byte[4], new byte[5]]; // the second part is a byte too long
        lane.SendBlob(lane.Address, 12, 2, i => swapped[i]);
        Assert.Contains("5 bytes of part 1", (await Assert.ThrowsAsync<IOException>(() => refused)).Message);
    }

    [Fact]
    public async Task ABlobWhoseConnectionBreaksInsideIt_FailsItsExpectation()
    {
        using var lane = BulkLane.Listen(new IPEndPoint(IPAddress.Loopback, 0), Settings, _ => null);
        var arrival = lane.Blobs.ExpectAsync(5, new Target(new byte[1000]));
        using (var dying = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            dying.Connect(BulkSocket.Parse(lane.Address));
            BulkHandshake.Greet(dying, new BulkHello(BulkChannel.Blob, 0), BulkHandshake.Key(Settings.Secret), lane.Address);
            var frame = new byte[BulkFrameHeader.Size + 10];
            new BulkFrameHeader(BulkFrameKind.Blob, 0, 1000, 5, 0, 0, 0, 0, 1).Write(frame);
            dying.Send(frame); // the header and 10 of the part's 1000 bytes, then gone
        }
        Assert.Contains("closed inside part 0", (await Assert.ThrowsAsync<IOException>(() => arrival)).Message);
    }

    private sealed class Target(params byte[][] buffers) : IBlobTarget
    {
        public byte[][] Buffers { get; } = buffers;

        public int Parts => Buffers.Length;

        public Span<byte> Part(int index) => Buffers[index];
    }

    [Fact]
    public void APeerWithoutTheSecret_IsCutOff_BeforeAnyFrameIsRead()
    {
        var sink = new RecordingSink();
        using var lane = BulkLane.Listen(new IPEndPoint(IPAddress.Loopback, 0), Settings, _ => sink);
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        stranger.Connect(BulkSocket.Parse(lane.Address));
        // The lane's challenge, answered with a proof made from another secret, then a frame the lane must never read.
        var challenge = new byte[32];
        Assert.True(BulkSocket.ReadExactly(stranger, challenge));
        var greeting = new byte[BulkHandshake.GreetingBytes + BulkFrameHeader.Size];
        new BulkHello(BulkChannel.Collective, 1).Write(greeting);
        System.Security.Cryptography.HMACSHA256.HashData(BulkHandshake.Key("guess"), challenge).CopyTo(greeting, BulkHello.Size + 32);
        new BulkFrameHeader(BulkFrameKind.Stalled, 0, 0, 1, 0, 0, 0, 0, 0).Write(greeting.AsSpan(BulkHandshake.GreetingBytes));
        stranger.Send(greeting);
        Assert.Equal(0, HungUp(stranger)); // the lane closes the connection, proving nothing about itself
        Assert.Empty(sink.Frames);
    }

    [Fact]
    public void AClientWithAnotherSecret_CannotConnect_AndALaneWithAnotherSecretIsRefused()
    {
        var sink = new RecordingSink();
        using var lane = BulkLane.Listen(new IPEndPoint(IPAddress.Loopback, 0), Settings, _ => sink);
        var error = Assert.Throws<IOException>(() => BulkConnection.Open(lane.Address, new BulkHello(BulkChannel.Collective, 1), Settings with { Secret = "other" }));
        Assert.Contains("tpactors.cluster.secret differs", error.Message);
        Assert.Empty(sink.Frames);
        using var connection = BulkConnection.Open(lane.Address, new BulkHello(BulkChannel.Collective, 1), Settings); // the right secret still gets in
    }

    [Fact]
    public void AStrangerThatNeverGreets_IsCutOffAfterTheHandshakeTimeout()
    {
        var sink = new RecordingSink();
        using var lane = BulkLane.Listen(new IPEndPoint(IPAddress.Loopback, 0), Settings with { HandshakeTimeout = TimeSpan.FromMilliseconds(300) }, _ => sink);
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        stranger.Connect(BulkSocket.Parse(lane.Address));
        Assert.True(BulkSocket.ReadExactly(stranger, new byte[32])); // the challenge
        Assert.Equal(0, HungUp(stranger));
    }

    [Fact]
    public async Task StrangersThatTrickleTheirGreeting_HoldNoThread_AreCapped_AndAreCutOffAtTheDeadline()
    {
        var sink = new RecordingSink();
        var settings = Settings with { HandshakeTimeout = TimeSpan.FromSeconds(2), MaxPendingHandshakes = 16 };
        using var lane = BulkLane.Listen(new IPEndPoint(IPAddress.Loopback, 0), settings, _ => sink);
        int threadsBefore = Threads();
        var strangers = new List<Socket>();
        using var stop = new CancellationTokenSource();
        try
        {
            for (int i = 0; i < 100; i++)
            {
                var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                stranger.Connect(BulkSocket.Parse(lane.Address));
                strangers.Add(stranger);
            }
            // Each sends one byte of a greeting every 100 ms, as a slow-loris would, until the lane hangs up on it.
            var trickles = strangers.Select(s => Task.Run(async () =>
            {
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        await s.SendAsync(new byte[] { 1 }, SocketFlags.None);
                        await Task.Delay(100, stop.Token);
                    }
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
                {
                }
            })).ToList();
            int most = 0;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30); // far past the 2 s handshake deadline: a lane that keeps one fails here
            while (!strangers.All(IsClosed) && DateTime.UtcNow < deadline)
            {
                most = Math.Max(most, lane.PendingHandshakes);
                Assert.True(lane.PendingHandshakes <= settings.MaxPendingHandshakes, $"{lane.PendingHandshakes} handshakes under way; the cap is {settings.MaxPendingHandshakes}");
                Assert.True(Threads() - threadsBefore < 20, $"the process went from {threadsBefore} to {Threads()} threads: a handshake must not hold a thread");
                await Task.Delay(50);
            }
            Assert.All(strangers, s => Assert.Equal(0, HungUp(s))); // every one was cut off: at once over the cap, else at the deadline
            Assert.True(most > 0, "some strangers were let in to prove themselves");
            Assert.Equal(0, lane.PendingHandshakes);
            Assert.Empty(sink.Frames);
            stop.Cancel();
            await Task.WhenAll(trickles);
        }
        finally
        {
            foreach (var s in strangers) s.Dispose();
        }
        using var connection = BulkConnection.Open(lane.Address, new BulkHello(BulkChannel.Collective, 1), Settings); // the cluster's own still get in
    }

    // Whether the lane has hung up on the socket: a read finds the end (or a reset) after any challenge it sent.
    private static bool IsClosed(Socket socket)
    {
        try
        {
            while (socket.Poll(0, SelectMode.SelectRead))
                if (socket.Receive(new byte[64]) == 0) return true;
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    // The threads of this process, as the kernel counts them.
    private static int Threads() =>
        int.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal))["Threads:".Length..].Trim());

    // What the peer's next receive gives: 0 once the lane has closed the connection (a reset counts as closed).
    private static int HungUp(Socket socket)
    {
        socket.ReceiveTimeout = 30_000; // a lane that kept the connection open fails the test instead of hanging it
        try
        {
            return socket.Receive(new byte[16]);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return 0; // reset: the lane hung up with our bytes unread
        }
    }

    [Fact]
    public async Task GarbageAndOversizedBlobs_CloseTheConnection_AndTheLaneGoesOn()
    {
        using var lane = BulkLane.Listen(new IPEndPoint(IPAddress.Loopback, 0), Settings, _ => null);
        var endpoint = (IPEndPoint)new IPEndPoint(IPAddress.Loopback, int.Parse(lane.Address.Split(':')[1]));
        using (var raw = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            raw.Connect(endpoint);
            Assert.True(BulkSocket.ReadExactly(raw, new byte[32])); // the lane's challenge
            raw.Send(Enumerable.Repeat((byte)0xAB, 4096).ToArray());
            Assert.Equal(0, HungUp(raw)); // the lane hung up
        }
        using (var big = lane.Connect(lane.Address, new BulkHello(BulkChannel.Blob, 0)))
        {
            Assert.Throws<IOException>(() =>
            {
                for (int i = 0; i < 100; i++) big.Send(new BulkFrameHeader(BulkFrameKind.Blob, 0, 2 << 20, i, 0, 0, 0, 0, 0), [], new byte[2 << 20]);
            });
        }
        lane.SendBlob(lane.Address, 9, [9]);
        Assert.Equal([9], await lane.Blobs.ClaimAsync(9));
    }

    [Fact]
    public void FrameHeaders_RoundTrip_AndNonsenseIsRefused()
    {
        var header = new BulkFrameHeader(BulkFrameKind.Chunk, 12, 65536, long.MaxValue, 3, 7, 9, 2, 1);
        var bytes = new byte[BulkFrameHeader.Size];
        header.Write(bytes);
        Assert.Equal(header, BulkFrameHeader.Read(bytes));
        var blob = new BulkFrameHeader(BulkFrameKind.Blob, 0, 5000, 77, 0, 0, 2, 0, 3);
        foreach (var frame in new[] { header with { Extra = 0 }, blob }) // a payload placed in the ring, and the frame it stands for
        {
            Assert.Equal(frame, frame.InRing(4096).OutOfRing(out int offset));
            Assert.Equal(4096, offset);
        }
        bytes[0] = 99;
        Assert.Throws<InvalidDataException>(() => BulkFrameHeader.Read(bytes));
    }

    private sealed class RecordingSink : IBulkFrameSink
    {
        private byte[] _payload = [];
        private string _group = "";

        public List<(BulkFrameHeader Header, string Group, byte[] Payload)> Frames { get; } = [];

        public ManualResetEventSlim Closed { get; } = new();

        public Span<byte> Begin(in BulkFrameHeader header, ReadOnlySpan<byte> group)
        {
            _group = System.Text.Encoding.UTF8.GetString(group);
            _payload = new byte[header.PayloadBytes];
            return _payload;
        }

        public void End(in BulkFrameHeader header) => Frames.Add((header, _group, _payload));

        public bool Broken { get; private set; }

        void IBulkFrameSink.Closed(bool broken)
        {
            Broken = broken;
            Closed.Set();
        }
    }
}
