using System.Diagnostics;
using System.Net.Sockets;

namespace TpActors.Runtime.Transport;

/// <summary>
/// One outgoing bulk connection: a TCP stream to a peer's lane, greeted with a <see cref="BulkHello"/> and an HMAC proof of
/// the cluster's secret (<see cref="BulkHandshake"/>), then frames. A frame is sent from the caller's memory (the header from a scratch buffer of the connection's
/// own), so sending allocates nothing.
/// </summary>
/// <remarks>Invariants: frames are sent whole and in call order; after an error the connection is broken and every later send throws.</remarks>
[DebuggerDisplay("bulk connection to {Peer}")]
public sealed class BulkConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly object _sending = new(); // one frame on the wire at a time
    private readonly byte[] _header = new byte[BulkFrameHeader.Size + BulkFrameHeader.MaxGroupLength];
    private long _ringBytes;                      // the ring's size, for a peer on this machine (0: no ring)
    private SharedMemoryRing? _ring;              // where chunk payloads go, made with the first chunk that fits one
    private bool _broken;

    // How long a goodbye may wait for room in a send buffer the peer does not drain; past it the peer sees a broken end.
    private const int GoodbyeTimeoutMs = 200;

    // Payloads smaller than this ride in the TCP segment with their header: a ring buys nothing for them.
    private const int MinRingPayload = 4096;

    private BulkConnection(Socket socket, string peer, long ringBytes)
    {
        _socket = socket;
        Peer = peer;
        _ringBytes = ringBytes;
    }

    /// <summary>The peer lane's address, host:port.</summary>
    public string Peer { get; }

    /// <summary>
    /// Opens a connection to the lane at <paramref name="address"/> for <paramref name="hello"/>; with
    /// <paramref name="sharedMemory"/> (the peer is on this machine), chunk payloads go through a ring in /dev/shm.
    /// </summary>
    /// <exception cref="IOException">The peer cannot be reached within the connect timeout.</exception>
    public static BulkConnection Open(string address, BulkHello hello, BulkLaneSettings settings, bool sharedMemory = false)
    {
        var endpoint = BulkSocket.Parse(address);
        var socket = BulkSocket.Create(endpoint.AddressFamily, settings);
        try
        {
            using (var timeout = new CancellationTokenSource(settings.ConnectTimeout))
                socket.ConnectAsync(endpoint, timeout.Token).AsTask().GetAwaiter().GetResult();
            socket.ReceiveTimeout = (int)settings.ConnectTimeout.TotalMilliseconds; // the lane's challenge and proof come at once, or never
            BulkHandshake.Greet(socket, hello, BulkHandshake.Key(settings.Secret), address);
            socket.ReceiveTimeout = 0;
            return new BulkConnection(socket, address, sharedMemory && SharedMemoryRing.Available ? settings.RingBytes : 0);
        }
        catch (IOException)
        {
            socket.Dispose(); // the lane is not this cluster's, or hung up on the greeting
            throw;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            throw new IOException($"Cannot open a bulk connection to {address}: {(e is OperationCanceledException ? $"no answer within {settings.ConnectTimeout.TotalSeconds:0.###}s" : e.Message)}", e);
        }
    }

    /// <summary>Sends one frame: <paramref name="header"/>, the group name's UTF-8 bytes, then <paramref name="payload"/>.</summary>
    /// <exception cref="IOException">The connection is broken (the peer has gone).</exception>
    public void Send(in BulkFrameHeader header, ReadOnlySpan<byte> group, ReadOnlySpan<byte> payload)
    {
        Debug.Assert(group.Length == header.GroupLength && payload.Length == header.PayloadBytes, "the header describes what follows it");
        lock (_sending)
        {
            if (_broken) throw new IOException($"The bulk connection to {Peer} is broken.");
            try
            {
                var frame = header;
                // The payload goes through shared memory when the ring has room; the header, sent after it, rings the bell.
                if (header.Kind is BulkFrameKind.Chunk or BulkFrameKind.Blob && payload.Length >= MinRingPayload && Ring() is { } ring && payload.Length <= ring.MaxPayload
                    && (header.Kind == BulkFrameKind.Chunk ? ring.TryWrite(payload, out int offset) : WriteWaiting(ring, payload, out offset)))
                {
                    frame = header.InRing(offset);
                    payload = [];
                }
                frame.Write(_header);
                group.CopyTo(_header.AsSpan(BulkFrameHeader.Size));
                int head = BulkFrameHeader.Size + group.Length;
                // A small payload rides in the header's segment; a large one is sent straight from the caller's memory.
                if (payload.Length <= _header.Length - head)
                {
                    payload.CopyTo(_header.AsSpan(head));
                    BulkSocket.SendAll(_socket, _header.AsSpan(0, head + payload.Length));
                }
                else
                {
                    BulkSocket.SendAll(_socket, _header.AsSpan(0, head));
                    BulkSocket.SendAll(_socket, payload);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
                _broken = true;
                throw new IOException($"The bulk connection to {Peer} broke: {e.Message}", e);
            }
        }
    }

    /// <summary>Says goodbye (so the peer knows the end is on purpose, not a death) and closes the connection.</summary>
    public void Dispose()
    {
        lock (_sending)
        {
            if (!_broken) SayGoodbye();
            _broken = true;
        }
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        _socket.Dispose();
        _ring?.Dispose();
    }

    /// <summary>The largest payload that goes through the shared-memory ring, when there is one: a larger one goes over TCP, so a blob is sent in pieces of at most this.</summary>
    public int LargestPiece => _ringBytes > 0 ? (int)Math.Min(int.MaxValue, _ringBytes / 4) : int.MaxValue;

    // A blob's piece waits for room in the ring (its reader copies each out at once and lends nothing, so room comes), up
    // to a bound past which it goes over TCP. A collective chunk never waits: see SharedMemoryRing.TryWrite.
    private static bool WriteWaiting(SharedMemoryRing ring, ReadOnlySpan<byte> payload, out int offset)
    {
        long start = Stopwatch.GetTimestamp();
        var spin = new SpinWait();
        while (!ring.TryWrite(payload, out offset))
        {
            if (Stopwatch.GetElapsedTime(start) > RingWait) return false;
            spin.SpinOnce(sleep1Threshold: 20);
        }
        return true;
    }

    // How long a blob's piece waits for room in the ring before it goes over TCP.
    private static readonly TimeSpan RingWait = TimeSpan.FromSeconds(1);

    // The ring, made and announced to the peer with the first chunk that goes through it, so that a connection that never
    // carries one (an abort, a stall report) leaves no ring for the peer to map after this end has removed it. Under _sending.
    // Null when there is none (a peer elsewhere, or /dev/shm refused one: chunks then go on the socket).
    private SharedMemoryRing? Ring()
    {
        if (_ring is not null || _ringBytes == 0) return _ring;
        SharedMemoryRing ring;
        try
        {
            ring = SharedMemoryRing.Create(_ringBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _ringBytes = 0;
            return null;
        }
        try
        {
            var path = System.Text.Encoding.UTF8.GetBytes(ring.Path);
            var attach = new byte[BulkFrameHeader.Size + path.Length];
            new BulkFrameHeader(BulkFrameKind.RingAttach, 0, path.Length, ring.Capacity, 0, 0, 0, 0, 0).Write(attach);
            path.CopyTo(attach, BulkFrameHeader.Size);
            BulkSocket.SendAll(_socket, attach);
        }
        catch
        {
            ring.Dispose();
            throw;
        }
        return _ring = ring;
    }

    // The goodbye frame, sent under _sending. A peer that does not read within the timeout misses it, and sees a broken end.
    private void SayGoodbye()
    {
        try
        {
            _socket.SendTimeout = GoodbyeTimeoutMs;
            new BulkFrameHeader(BulkFrameKind.Goodbye, 0, 0, 0, 0, 0, 0, 0, 0).Write(_header);
            BulkSocket.SendAll(_socket, _header.AsSpan(0, BulkFrameHeader.Size));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
        }
    }
}
