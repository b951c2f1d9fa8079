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

    // Blobs expected in parts, by ticket, with the memory each part goes to. Guarded by _gate.
    private readonly Dictionary<long, Expectation> _expected = new();

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

    /// <summary>
    /// Expects blob <paramref name="ticket"/> in <paramref name="target"/>'s parts (sent with
    /// <see cref="BulkLane.SendBlob(string, long, int, Func{int, ReadOnlySpan{byte}})"/>); completes once every part has been read into it. The
    /// target must not be touched until then; after a failure a reader may still be inside a part, so its memory must be
    /// let go, never reused.
    /// </summary>
    /// <exception cref="TimeoutException">Not every part arrived within the blob timeout.</exception>
    /// <exception cref="IOException">The connection broke inside the blob, or a part did not fit.</exception>
    public async Task ExpectAsync(long ticket, IBlobTarget target)
    {
        var expectation = new Expectation(ticket, target);
        lock (_gate)
        {
            if (!_expected.TryAdd(ticket, expectation)) throw new ArgumentException($"Blob {ticket:x16} is already expected.", nameof(ticket));
        }
        try
        {
            if (target.Parts == 0) expectation.Done.TrySetResult();
            await expectation.Done.Task.WaitAsync(_timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Blob {ticket:x16} did not arrive on the bulk lane within {_timeout.TotalSeconds:0.###}s " +
                $"({expectation.NextPart} of {target.Parts} parts came).");
        }
        finally
        {
            // A later part of an expectation given up on finds nothing and goes into the store as a blob nobody claims.
            lock (_gate) _expected.Remove(ticket);
        }
    }

    // The expectation that a piece of part `index` of blob `ticket` belongs to, and where its bytes go; null when none is.
    // A piece out of turn, or longer than what is left of its part, fails the expectation.
    private Expectation? Begin(long ticket, int index, int bytes, out Span<byte> into)
    {
        into = default;
        lock (_gate)
        {
            if (!_expected.TryGetValue(ticket, out var expectation)) return null;
            var target = expectation.Target;
            int left = index < target.Parts ? target.Part(index).Length - expectation.NextOffset : 0;
            if (index != expectation.NextPart || bytes > left || (bytes == 0 && left > 0))
            {
                string reason = $"{bytes} bytes of part {index} of blob {ticket:x16} are not what comes next (part {expectation.NextPart} of {target.Parts}, {left} bytes left of it)";
                expectation.Done.TrySetException(new IOException($"The blob's {reason}."));
                throw new InvalidDataException(reason);
            }
            into = target.Part(index).Slice(expectation.NextOffset, bytes);
            return expectation;
        }
    }

    // A piece of `bytes` bytes is in: the expectation moves past it; true when that was the last.
    private bool Advance(Expectation expectation, int bytes)
    {
        lock (_gate)
        {
            expectation.NextOffset += bytes;
            if (expectation.NextOffset < expectation.Target.Part(expectation.NextPart).Length) return false;
            expectation.NextOffset = 0;
            return ++expectation.NextPart == expectation.Target.Parts;
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

    // A blob expected in parts, and which part comes next.
    private sealed class Expectation(long ticket, IBlobTarget target)
    {
        public long Ticket { get; } = ticket;
        public IBlobTarget Target { get; } = target;
        public int NextPart { get; set; }   // under _gate
        public int NextOffset { get; set; } // into NextPart, under _gate
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// The sink of one incoming blob connection: a part of an expected blob is read straight into its target; any other
    /// blob's bytes go into a new array, then into the store.
    /// </summary>
    internal sealed class Sink(BlobStore store, long maxBytes) : IBulkFrameSink
    {
        private byte[]? _receiving;
        private Expectation? _part; // the expected blob whose part is being read

        public Span<byte> Begin(in BulkFrameHeader header, ReadOnlySpan<byte> group)
        {
            if (header.Kind != BulkFrameKind.Blob) throw new InvalidDataException($"A blob connection carried a {header.Kind} frame.");
            if (header.Extra > 0 && store.Begin(header.Sequence, header.Index, header.Count, out var into) is { } expected)
            {
                _part = expected;
                return into;
            }
            if (header.Count > maxBytes) throw new InvalidDataException($"A {header.Count}-byte blob is larger than the {maxBytes} bytes this lane accepts (tpactors.cluster.bulk.max-blob).");
            _receiving = new byte[header.Count];
            return _receiving;
        }

        public void End(in BulkFrameHeader header)
        {
            if (_part is { } part)
            {
                _part = null;
                if (store.Advance(part, header.Count)) part.Done.TrySetResult();
                return;
            }
            store.Arrived(header.Sequence, _receiving!);
            _receiving = null;
        }

        public void Closed(bool broken)
        {
            _receiving = null;
            _part?.Done.TrySetException(new IOException($"The connection carrying blob {_part.Ticket:x16} closed inside part {_part.NextPart}."));
            _part = null;
        }
    }
}
