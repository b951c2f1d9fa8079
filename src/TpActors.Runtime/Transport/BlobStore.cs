using System.Diagnostics;

namespace TpActors.Runtime.Transport;

/// <summary>
/// The blobs a process has received on its bulk lane, by ticket, until claimed: a control message (over Akka) names a
/// ticket, and its bytes arrive over the lane, in either order. A claim waits for its blob; a blob waits for its claim.
/// Either waits at most the blob timeout, so a blob nobody claims (its sender's message was lost) does not stay in memory.
/// </summary>
public sealed class BlobStore
{
    private readonly object _gate = new();

    // Blobs received and not yet claimed, with when they arrived; and claims waiting for their blob. Guarded by _gate.
    private readonly Dictionary<long, (byte[] Bytes, long ArrivedAt)> _arrived = new();
    private readonly Dictionary<long, TaskCompletionSource<byte[]>> _claims = new();

    private readonly TimeSpan _timeout;

    /// <summary>A store whose blobs and claims wait at most <paramref name="timeout"/>.</summary>
    public BlobStore(TimeSpan timeout) => _timeout = timeout;

    /// <summary>The bytes of <paramref name="ticket"/>, once they have arrived.</summary>
    /// <exception cref="TimeoutException">They did not arrive within the blob timeout.</exception>
    public async Task<byte[]> ClaimAsync(long ticket)
    {
        TaskCompletionSource<byte[]> claim;
        lock (_gate)
        {
            if (_arrived.Remove(ticket, out var arrived)) return arrived.Bytes;
            if (!_claims.TryGetValue(ticket, out claim!)) _claims[ticket] = claim = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        try
        {
            return await claim.Task.WaitAsync(_timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            lock (_gate) _claims.Remove(ticket);
            throw new TimeoutException($"Blob {ticket:x16} did not arrive on the bulk lane within {_timeout.TotalSeconds:0.###}s.");
        }
    }

    /// <summary>A received blob: it completes its claim, or waits for one.</summary>
    public void Arrived(long ticket, byte[] bytes)
    {
        TaskCompletionSource<byte[]>? claim;
        lock (_gate)
        {
            if (!_claims.Remove(ticket, out claim))
            {
                DropExpired();
                _arrived[ticket] = (bytes, Stopwatch.GetTimestamp());
            }
        }
        claim?.TrySetResult(bytes); // outside the lock: the continuation runs elsewhere, but need not wait for it
    }

    /// <summary>Blobs waiting to be claimed.</summary>
    public int Pending
    {
        get
        {
            lock (_gate) return _arrived.Count;
        }
    }

    private void DropExpired()
    {
        foreach (var (ticket, blob) in _arrived.Where(b => Stopwatch.GetElapsedTime(b.Value.ArrivedAt) > _timeout).ToList())
            _arrived.Remove(ticket);
    }

    /// <summary>The sink of one incoming blob connection: each frame's bytes go into a new array, then into the store.</summary>
    internal sealed class Sink(BlobStore store, long maxBytes) : IBulkFrameSink
    {
        private byte[]? _receiving;

        public Span<byte> Begin(in BulkFrameHeader header, ReadOnlySpan<byte> group)
        {
            if (header.Kind != BulkFrameKind.Blob) throw new InvalidDataException($"A blob connection carried a {header.Kind} frame.");
            if (header.Count > maxBytes) throw new InvalidDataException($"A {header.Count}-byte blob is larger than the {maxBytes} bytes this lane accepts (tpactors.cluster.bulk.max-blob).");
            _receiving = new byte[header.Count];
            return _receiving;
        }

        public void End(in BulkFrameHeader header)
        {
            store.Arrived(header.Sequence, _receiving!);
            _receiving = null;
        }

        public void Closed() => _receiving = null;
    }
}
