using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using TpActors.Runtime.Transport;

namespace TpActors.Layers.Tests.Cluster;

// Bad bytes on a bulk lane whose connections reach a real rank inbox: random bytes from strangers, and from a peer that
// holds the secret truncated headers, absurd counts, rounds the rank never runs, and frames cut short. The lane never
// crashes or hangs, drops each bad connection with the peer's address in its log, keeps its memory bounded, and still
// delivers the next good chunk.
public sealed class BulkLaneFuzzTests
{
    private const int Tries = 10_000;
    private const int MaxChunkFloats = 1 << 10;
    private static readonly BulkLaneSettings Settings = BulkLaneSettings.Default with
    {
        Secret = "fuzz", ConnectTimeout = TimeSpan.FromSeconds(2), MaxBlobBytes = 1 << 16, BlobTimeout = TimeSpan.FromSeconds(5),
    };

    [Fact]
    public void TenThousandBadFrames_DropTheirConnections_AndTheLaneGoesOn()
    {
        var inbox = new CollectiveInbox();
        var log = new RecordingLogger();
        using var lane = BulkLane.Listen(new IPEndPoint(IPAddress.Loopback, 0), Settings, target => target == 1 ? new InboxFrameSink(inbox, MaxChunkFloats) : null, log);
        var endpoint = BulkSocket.Parse(lane.Address);
        var random = new Random(7);

        using (var peer = Authenticated(endpoint)) // one connection that keeps sending rounds the rank never runs
        {
            var header = new byte[BulkFrameHeader.Size];
            var group = "g-unknown"u8.ToArray();
            for (int i = 0; i < Tries / 2; i++)
            {
                new BulkFrameHeader(BulkFrameKind.Chunk, group.Length, MaxChunkFloats, i, 0, 0, 0, 1, 0).Write(header);
                peer.Send(header);
                peer.Send(group);
                peer.Send(new byte[MaxChunkFloats * sizeof(float)]);
            }
        }

        int dropped = 0;
        for (int i = 0; i < Tries / 2; i++)
        {
            using var socket = (i % 5) == 0 ? Stranger(endpoint) : Authenticated(endpoint);
            socket.Send(Garbage(i % 5, random));
            socket.Shutdown(SocketShutdown.Send);
            if (ClosedByLane(socket)) dropped++;
        }
        Assert.Equal(Tries / 2, dropped); // every bad connection was closed, none hung

        // Bounded: the unknown rounds parked are capped in number, each chunk by the lane's chunk size; the rest was dropped.
        // (The process's own memory is not measured: other tests allocate beside this one.)
        Assert.InRange(inbox.PendingRounds, 1, 4096);
        Assert.InRange(inbox.PendingBytes, 1, 4096L * MaxChunkFloats * sizeof(float));
        Assert.Contains(log.Lines, l => l.Contains("closed the connection from 127.0.0.1:", StringComparison.Ordinal));

        // The lane and the inbox still work: a good chunk of a round the rank runs arrives.
        var round = new RoundId("g-live", 1, CollectiveOperation.AllReduce);
        using (var good = lane.Connect(lane.Address, new BulkHello(BulkChannel.Collective, 1)))
        {
            var bytes = "g-live"u8.ToArray();
            good.Send(new BulkFrameHeader(BulkFrameKind.Chunk, bytes.Length, 2, round.Sequence, (int)round.Operation, 0, 0, 1, 0), bytes,
                System.Runtime.InteropServices.MemoryMarshal.AsBytes<float>([1.5f, 2.5f]));
            var chunk = Assert.IsType<CollectiveChunk>(inbox.Take(round, inbox.DeadlineAfter(TimeSpan.FromSeconds(10))));
            Assert.Equal([1.5f, 2.5f], chunk.Values.ToArray());
            chunk.Return();
        }
    }

    // One kind of bad connection's bytes, after the greeting: 0 a stranger's random bytes (no greeting), 1 random bytes,
    // 2 a truncated header, 3 a chunk of an absurd count, 4 a good header whose payload is cut short.
    private static byte[] Garbage(int kind, Random random)
    {
        var header = new byte[BulkFrameHeader.Size];
        switch (kind)
        {
            case 0:
            case 1:
                var noise = new byte[random.Next(1, 4096)];
                random.NextBytes(noise);
                if (kind == 1) noise[0] = 0xEE; // not a frame kind
                return noise;
            case 2:
                new BulkFrameHeader(BulkFrameKind.Chunk, 1, 4, 1, 0, 0, 0, 0, 0).Write(header);
                return header[..random.Next(1, BulkFrameHeader.Size)];
            case 3:
                new BulkFrameHeader(BulkFrameKind.Chunk, 1, random.Next(MaxChunkFloats + 1, int.MaxValue), 1, 0, 0, 0, 0, 0).Write(header);
                return [.. header, (byte)'g'];
            default:
                new BulkFrameHeader(BulkFrameKind.Chunk, 1, 64, random.NextInt64(1, long.MaxValue), 0, 0, 0, 0, 0).Write(header);
                return [.. header, (byte)'g', .. new byte[random.Next(0, 64 * sizeof(float))]];
        }
    }

    private static Socket Stranger(IPEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(endpoint);
        return socket;
    }

    private static Socket Authenticated(IPEndPoint endpoint)
    {
        var socket = Stranger(endpoint);
        socket.ReceiveTimeout = 10_000;
        BulkHandshake.Greet(socket, new BulkHello(BulkChannel.Collective, 1), BulkHandshake.Key(Settings.Secret), endpoint.ToString());
        return socket;
    }

    // Whether the lane closes the connection (a reset counts) within 10 s, reading past anything it sent first.
    private static bool ClosedByLane(Socket socket)
    {
        socket.ReceiveTimeout = 10_000;
        var buffer = new byte[64];
        try
        {
            while (socket.Receive(buffer) > 0)
            {
            }
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
        catch (SocketException)
        {
            return false; // timed out: the lane kept a bad connection open
        }
    }

    private sealed class RecordingLogger : ILogger
    {
        private readonly List<string> _lines = [];

        public List<string> Lines
        {
            get
            {
                lock (_lines) return [.. _lines];
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines) _lines.Add(formatter(state, exception));
        }
    }
}
