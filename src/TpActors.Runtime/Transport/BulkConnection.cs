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
    private readonly SharedMemoryRing? _ring;     // where chunk payloads go, for a peer on this machine
    private bool _broken;

    // Payloads smaller than this ride in the TCP segment with their header: a ring buys nothing for them.
    private const int MinRingPayload = 4096;

    private BulkConnection(Socket socket, string peer, SharedMemoryRing? ring)
    {
        _socket = socket;
        Peer = peer;
        _ring = ring;
    }

    /// <summary>Whether chunk payloads travel through a shared-memory ring (the peer is on this machine).</summary>
    public bool UsesSharedMemory => _ring is not null;

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
            SharedMemoryRing? ring = null;
            if (sharedMemory && settings.RingBytes > 0 && SharedMemoryRing.Available)
            {
                ring = SharedMemoryRing.Create(settings.RingBytes);
                var path = System.Text.Encoding.UTF8.GetBytes(ring.Path);
                var attach = new byte[BulkFrameHeader.Size + path.Length];
                new BulkFrameHeader(BulkFrameKind.RingAttach, 0, path.Length, ring.Capacity, 0, 0, 0, 0, 0).Write(attach);
                path.CopyTo(attach, BulkFrameHeader.Size);
                BulkSocket.SendAll(socket, attach);
            }
            return new BulkConnection(socket, address, ring);
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
                // The floats go through shared memory when the ring has room; the header, sent after them, rings the bell.
                if (_ring is not null && header.Kind == BulkFrameKind.Chunk && payload.Length >= MinRingPayload && payload.Length <= _ring.MaxPayload
                    && _ring.TryWrite(payload, out int offset))
                {
                    frame = header with { Kind = BulkFrameKind.RingChunk, Extra = offset };
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

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_sending) _broken = true;
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
}
