using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TpActors.Runtime.Transport;

/// <summary>
/// A process's bulk lane: a TCP listener for tensor bytes between processes, beside (never inside) Akka.Remote's control
/// lane. Each accepted connection proves it holds the cluster's secret (<see cref="BulkHandshake"/>) before any frame is read,
/// within <see cref="BulkLaneSettings.HandshakeTimeout"/> and without a thread of its own, and at most
/// <see cref="BulkLaneSettings.MaxPendingHandshakes"/> proofs are under way at once (one more is closed at once): what a
/// stranger costs is bounded. A proven connection then carries frames one way; one reader thread per proven connection
/// reads each frame's payload straight into the memory its sink gives
/// (a rank's inbox, see <see cref="IBulkFrameSink"/>, or the <see cref="Blobs"/> store). Outgoing blob connections are kept,
/// one per peer lane.
/// </summary>
[DebuggerDisplay("bulk lane {Address}")]
public sealed class BulkLane : IDisposable
{
    private readonly Socket _listener;
    private readonly Func<long, IBulkFrameSink?> _collectiveSink;
    private readonly byte[] _key; // the HMAC key of the cluster's secret
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<Socket, byte> _accepted = new();
    private readonly ConcurrentDictionary<string, BulkConnection> _blobConnections = new();
    private int _pendingHandshakes;      // accepted connections still proving themselves; changed only by Interlocked
    private int _refusedSinceLog;        // connections closed for the cap since the last line that said so; Interlocked
    private long _lastRefusalLog;        // Environment.TickCount64 of that line
    private volatile bool _disposed;

    private BulkLane(Socket listener, BulkLaneSettings settings, Func<long, IBulkFrameSink?> collectiveSink, ILogger log)
    {
        _listener = listener;
        Settings = settings;
        _collectiveSink = collectiveSink;
        _key = BulkHandshake.Key(settings.Secret);
        _log = log;
        Blobs = new BlobStore(settings.BlobTimeout);
        Address = BulkSocket.Format((IPEndPoint)listener.LocalEndPoint!);
        new Thread(AcceptLoop) { IsBackground = true, Name = $"bulk-lane {Address} accept" }.Start();
    }

    /// <summary>Where peers connect: host:port.</summary>
    public string Address { get; }

    /// <summary>How it listens and connects.</summary>
    public BulkLaneSettings Settings { get; }

    /// <summary>Blobs received and not yet claimed.</summary>
    public BlobStore Blobs { get; }

    /// <summary>
    /// Listens on <paramref name="bind"/> (port 0: one the OS picks). A collective connection for rank instance t gets its
    /// frames delivered to <paramref name="collectiveSink"/>(t); null (no such instance) closes it.
    /// </summary>
    /// <exception cref="IOException">The address cannot be bound.</exception>
    public static BulkLane Listen(IPEndPoint bind, BulkLaneSettings settings, Func<long, IBulkFrameSink?> collectiveSink, ILogger? log = null)
    {
        var listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(bind);
            listener.Listen(128);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"The bulk lane cannot listen on {BulkSocket.Format(bind)}: {e.Message}", e);
        }
        return new BulkLane(listener, settings, collectiveSink, log ?? NullLogger.Instance);
    }

    /// <summary>Opens a connection to the lane at <paramref name="address"/> for <paramref name="hello"/>; the caller owns it.</summary>
    public BulkConnection Connect(string address, BulkHello hello) =>
        BulkConnection.Open(address, hello, Settings, sharedMemory: IsOnThisMachine(address));

    /// <summary>
    /// Whether a connection between the lanes at <paramref name="from"/> and <paramref name="to"/> carries its chunks
    /// through a shared-memory ring, as <see cref="Connect"/> opens them: both on one machine (one host, or both loopback),
    /// rings configured, and /dev/shm present.
    /// </summary>
    public bool SharesMemory(string from, string to)
    {
        if (Settings.RingBytes <= 0 || !SharedMemoryRing.Available) return false;
        IPAddress a = BulkSocket.Parse(from).Address, b = BulkSocket.Parse(to).Address;
        return a.Equals(b) || (IPAddress.IsLoopback(a) && IPAddress.IsLoopback(b));
    }

    /// <summary>Whether the lane at <paramref name="address"/> is on this machine (its host is loopback, or this lane's own), so a shared-memory ring can reach it.</summary>
    public bool IsOnThisMachine(string address)
    {
        var peer = BulkSocket.Parse(address);
        return IPAddress.IsLoopback(peer.Address) || peer.Address.Equals(BulkSocket.Parse(Address).Address);
    }

    /// <summary>Sends <paramref name="bytes"/> as blob <paramref name="ticket"/> to the lane at <paramref name="address"/>, over the connection kept for it.</summary>
    /// <exception cref="IOException">The peer cannot be reached.</exception>
    public void SendBlob(string address, long ticket, ReadOnlySpan<byte> bytes)
    {
        var connection = BlobConnection(address);
        try
        {
            connection.Send(new BulkFrameHeader(BulkFrameKind.Blob, 0, bytes.Length, ticket, 0, 0, 0, 0, 0), [], bytes);
        }
        catch (IOException)
        {
            Forget(address, connection);
            throw;
        }
    }

    /// <summary>
    /// Sends blob <paramref name="ticket"/> in <paramref name="parts"/> parts, each straight from the memory
    /// <paramref name="part"/>(i) gives (no copy is gathered), to the lane at <paramref name="address"/>, whose store expects
    /// it (<see cref="BlobStore.ExpectAsync"/>).
    /// </summary>
    /// <exception cref="IOException">The peer cannot be reached.</exception>
    public void SendBlob(string address, long ticket, int parts, Func<int, ReadOnlySpan<byte>> part)
    {
        var connection = BlobConnection(address);
        try
        {
            for (int i = 0; i < parts; i++)
            {
                var bytes = part(i);
                do // in pieces that fit the connection's shared-memory ring, when it has one; an empty part is one empty piece
                {
                    var piece = bytes[..Math.Min(bytes.Length, connection.LargestPiece)];
                    connection.Send(new BulkFrameHeader(BulkFrameKind.Blob, 0, piece.Length, ticket, 0, 0, i, 0, parts), [], piece);
                    bytes = bytes[piece.Length..];
                }
                while (bytes.Length > 0);
            }
        }
        catch (IOException)
        {
            Forget(address, connection);
            throw;
        }
    }

    // The connection kept for blobs to the lane at address.
    private BulkConnection BlobConnection(string address) => _blobConnections.GetOrAdd(address, a => Connect(a, new BulkHello(BulkChannel.Blob, 0)));

    // A blob connection that broke is closed and forgotten: the next blob opens a new one.
    private void Forget(string address, BulkConnection connection)
    {
        _blobConnections.TryRemove(new KeyValuePair<string, BulkConnection>(address, connection));
        connection.Dispose();
    }

    private void AcceptLoop()
    {
        while (!_disposed)
        {
            Socket socket;
            try
            {
                socket = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (!_disposed) _log.LogWarning("The bulk lane {Address} stopped accepting: {Message}", Address, e.Message);
                return;
            }
            if (Interlocked.Increment(ref _pendingHandshakes) > Settings.MaxPendingHandshakes)
            {
                // Full: a flood of connections that never prove themselves costs this one close each, nothing more.
                Interlocked.Decrement(ref _pendingHandshakes);
                socket.Dispose();
                ReportRefusal();
                continue;
            }
            socket.NoDelay = true;
            socket.ReceiveBufferSize = Settings.ReceiveBuffer;
            _accepted[socket] = 0;
            _ = HandshakeAsync(socket);
        }
    }

    // A connection proves itself within the deadline, on no thread of its own; only then does it get a reader thread.
    private async Task HandshakeAsync(Socket socket)
    {
        string peer = socket.RemoteEndPoint is IPEndPoint remote ? BulkSocket.Format(remote) : "?";
        BulkHello hello;
        try
        {
            using var deadline = new CancellationTokenSource(Settings.HandshakeTimeout);
            hello = await BulkHandshake.AcceptAsync(socket, _key, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (e is OperationCanceledException)
                _log.LogWarning("Bulk lane {Address} closed the connection from {Peer}: it did not prove it holds the cluster's secret within {Seconds}s (tpactors.cluster.bulk.handshake-timeout)",
                    Address, peer, Settings.HandshakeTimeout.TotalSeconds);
            else if (e is InvalidDataException && !_disposed)
                _log.LogWarning("Bulk lane {Address} closed the connection from {Peer}: {Message}", Address, peer, e.Message);
            _accepted.TryRemove(socket, out _);
            socket.Dispose();
            return;
        }
        finally
        {
            Interlocked.Decrement(ref _pendingHandshakes);
        }
        new Thread(() => ReadLoop(socket, hello, peer)) { IsBackground = true, Name = $"bulk-lane {Address} reader" }.Start();
    }

    // One line a second at most, however many connections the cap closes.
    private void ReportRefusal()
    {
        Interlocked.Increment(ref _refusedSinceLog);
        long now = Environment.TickCount64, last = Interlocked.Read(ref _lastRefusalLog);
        if (now - last < 1000 || Interlocked.CompareExchange(ref _lastRefusalLog, now, last) != last) return;
        _log.LogWarning("Bulk lane {Address} closed {Count} new connection(s) at once: {Max} are already proving themselves (tpactors.cluster.bulk.max-pending-handshakes)",
            Address, Interlocked.Exchange(ref _refusedSinceLog, 0), Settings.MaxPendingHandshakes);
    }

    /// <summary>Accepted connections still proving they hold the secret.</summary>
    public int PendingHandshakes => Volatile.Read(ref _pendingHandshakes);

    // One proven connection, read to its end: frames into the sink its greeting chose.
    private void ReadLoop(Socket socket, BulkHello hello, string peer)
    {
        IBulkFrameSink? sink = null;
        SharedMemoryRing? ring = null;
        bool farewell = false; // the sender said goodbye: the end that follows is no loss
        try
        {
            sink = hello.Channel == BulkChannel.Blob ? new BlobStore.Sink(Blobs, Settings.MaxBlobBytes) : _collectiveSink(hello.Target);
            if (sink is null) return; // the rank instance has stopped: its peer's frames have nowhere to go
            var header = new byte[BulkFrameHeader.Size];
            var group = new byte[BulkFrameHeader.MaxGroupLength];
            while (BulkSocket.ReadExactly(socket, header))
            {
                var frame = BulkFrameHeader.Read(header);
                var name = group.AsSpan(0, frame.GroupLength);
                if (!BulkSocket.ReadExactly(socket, name)) return;
                if (frame.Kind == BulkFrameKind.Goodbye)
                {
                    farewell = true;
                    return;
                }
                if (frame.Kind == BulkFrameKind.RingAttach)
                {
                    ring?.Dispose();
                    ring = AttachRing(socket, frame);
                    continue;
                }
                if (frame.Kind is BulkFrameKind.RingChunk or BulkFrameKind.RingBlob)
                {
                    if (ring is null) throw new InvalidDataException("A shared-memory payload arrived before its ring.");
                    LendOrCopy(ring, sink, frame.OutOfRing(out int offset), name, offset);
                    continue;
                }
                var payload = sink.Begin(frame, name);
                if (payload.Length != frame.PayloadBytes) throw new InvalidDataException($"The sink gave {payload.Length} bytes for a {frame.PayloadBytes}-byte payload.");
                if (!BulkSocket.ReadExactly(socket, payload)) return;
                sink.End(frame);
            }
        }
        catch (InvalidDataException e)
        {
            _log.LogWarning("Bulk lane {Address} closed the connection from {Peer}: {Message}", Address, peer, e.Message);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The peer went away, or this lane is closing: the sink hears of it below.
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever a peer sends, a reader thread ends quietly: a shared-memory ring that cannot be mapped, a sink's fault.
            _log.LogWarning("Bulk lane {Address} closed the connection from {Peer}: {Type}: {Message}", Address, peer, e.GetType().Name, e.Message);
        }
        finally
        {
            ring?.Dispose();
            sink?.Closed(broken: !farewell && !_disposed);
            _accepted.TryRemove(socket, out _);
            socket.Dispose();
        }
    }

    // Hands the sink a chunk's floats in place in the ring when it takes them so (no copy) and a quarter of the ring at
    // most is lent with them (see SharedMemoryRing.Outstanding), else copies them into its span.
    private static unsafe void LendOrCopy(SharedMemoryRing ring, IBulkFrameSink sink, in BulkFrameHeader chunk, ReadOnlySpan<byte> group, int offset)
    {
        bool roomToLend = ring.Outstanding + chunk.PayloadBytes <= ring.MaxPayload;
        byte* data = ring.Borrow(offset, checked((int)chunk.PayloadBytes), out long token);
        if (roomToLend && sink.TryLend(chunk, group, ring, (nint)data, token)) return;
        new ReadOnlySpan<byte>(data, (int)chunk.PayloadBytes).CopyTo(sink.Begin(chunk, group));
        ring.Release(token);
        sink.End(chunk);
    }

    // Maps the ring a peer on this machine announced for its chunks.
    private static SharedMemoryRing AttachRing(Socket socket, in BulkFrameHeader frame)
    {
        if (frame.Count > 4096 || frame.Sequence is <= 0 or > BulkLaneSettings.MaxRingBytes)
            throw new InvalidDataException($"A shared-memory ring of {frame.Sequence} bytes with a {frame.Count}-byte path is out of range.");
        var path = new byte[frame.Count];
        if (!BulkSocket.ReadExactly(socket, path)) throw new InvalidDataException("The connection closed inside a ring's path.");
        return SharedMemoryRing.Open(System.Text.Encoding.UTF8.GetString(path), frame.Sequence);
    }

    /// <summary>Stops listening and closes every connection, incoming and outgoing.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _listener.Dispose();
        foreach (var socket in _accepted.Keys)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }
        foreach (var connection in _blobConnections.Values) connection.Dispose();
        _blobConnections.Clear();
    }
}
