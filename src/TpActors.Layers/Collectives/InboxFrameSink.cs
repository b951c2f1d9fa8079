using System.Runtime.InteropServices;
using System.Text;
using TpActors.Runtime.Transport;

namespace TpActors.Layers.Collectives;

/// <summary>
/// The receiving end of a <see cref="BulkCollectiveLink"/>: the reader thread of one incoming connection reads each chunk's
/// floats straight into a pooled <see cref="CollectiveChunk"/> and posts it into the rank instance's inbox, exactly as an
/// in-process link would; stall reports and aborts become their messages.
/// </summary>
/// <remarks>
/// Invariants: one reader thread per sink, so its fields need no lock. The group name is decoded once per change (a
/// connection carries one group's rounds at a time), so a chunk allocates nothing.
/// </remarks>
/// <param name="inbox">The rank instance's inbox.</param>
/// <param name="maxChunkFloats">The largest chunk a frame may carry: the process's bulk chunk size (tpactors.cluster.bulk.chunk-size), so no peer makes it allocate more per frame.</param>
internal sealed class InboxFrameSink(CollectiveInbox inbox, int maxChunkFloats) : IBulkFrameSink
{
    private const int MaxReasonBytes = 64 << 10; // the longest abort reason a frame may carry

    private CollectiveChunk? _chunk;      // the chunk being read, between Begin and End
    private byte[] _reason = [];
    private string _group = "";
    private byte[] _groupBytes = [];
    private int _from = -1;                // the rank that sent the last chunk or stall report (-1: none yet)
    private readonly Dictionary<SharedMemoryRing, RingViewLender> _lenders = new(ReferenceEqualityComparer.Instance);

    public Span<byte> Begin(in BulkFrameHeader header, ReadOnlySpan<byte> group)
    {
        UseGroup(group);
        switch (header.Kind)
        {
            case BulkFrameKind.Chunk:
                if (header.Count > maxChunkFloats)
                    throw new InvalidDataException($"A chunk of {header.Count} floats is larger than this process's bulk chunk size, {maxChunkFloats} floats (tpactors.cluster.bulk.chunk-size).");
                if (!Enum.IsDefined((CollectiveOperation)header.Operation)) throw new InvalidDataException($"A chunk of unknown operation {header.Operation}.");
                _from = header.From;
                _chunk = CollectiveChunk.Rent(header.Count).Address(Round(header), header.Step, header.Index, header.From, header.Count);
                return MemoryMarshal.AsBytes(_chunk.Writable);
            case BulkFrameKind.Stalled:
                _from = header.From;
                return [];
            case BulkFrameKind.Abort:
                if (header.Count > MaxReasonBytes) throw new InvalidDataException($"An abort's reason of {header.Count} bytes is longer than {MaxReasonBytes}.");
                if (_reason.Length < header.Count) _reason = new byte[header.Count];
                return _reason.AsSpan(0, header.Count);
            default:
                throw new InvalidDataException($"A collective connection carried a {header.Kind} frame.");
        }
    }

    public void End(in BulkFrameHeader header)
    {
        switch (header.Kind)
        {
            case BulkFrameKind.Chunk:
                var chunk = _chunk!;
                _chunk = null;
                inbox.Post(chunk);
                break;
            case BulkFrameKind.Stalled:
                inbox.Post(new RoundStalled(Round(header), header.From, header.Extra, header.Step, header.Index));
                break;
            case BulkFrameKind.Abort:
                inbox.Post(new AbortGroup(_group, Encoding.UTF8.GetString(_reason, 0, header.Count)));
                break;
        }
    }

    // A chunk in a shared-memory ring is posted as a view of the ring: the rank reduces straight from it, and its release
    // frees the room. Only chunks: stall reports and aborts carry no floats.
    public unsafe bool TryLend(in BulkFrameHeader header, ReadOnlySpan<byte> group, SharedMemoryRing ring, nint data, long token)
    {
        if (header.Kind != BulkFrameKind.Chunk || !Enum.IsDefined((CollectiveOperation)header.Operation)) return false;
        UseGroup(group);
        _from = header.From;
        if (!_lenders.TryGetValue(ring, out var lender)) _lenders[ring] = lender = new RingViewLender(ring);
        var view = CollectiveChunk.Lend((float*)data, header.Count, lender, 0, token).Address(Round(header), header.Step, header.Index, header.From, header.Count);
        inbox.Post(view);
        return true;
    }

    // A connection that broke is the first sign that its sender's process has died: the inbox's owner hears of it at
    // once (a connection that never carried a round names no group, and says nothing).
    public void Closed(bool broken)
    {
        _chunk?.Return();
        _chunk = null;
        if (broken && _from >= 0) inbox.Disconnected(new PeerDisconnected(_group, _from));
    }

    // The frame's group name, decoded only when it differs from the last frame's.
    private void UseGroup(ReadOnlySpan<byte> group)
    {
        if (group.SequenceEqual(_groupBytes)) return;
        _groupBytes = group.ToArray();
        _group = Encoding.UTF8.GetString(group);
    }

    private RoundId Round(in BulkFrameHeader header) => new(_group, header.Sequence, (CollectiveOperation)header.Operation);
}
