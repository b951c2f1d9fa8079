using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using TpActors.Runtime.Transport;

namespace TpActors.Layers.Collectives;

/// <summary>
/// A link to a rank in another process: one bulk-lane connection to the peer's lane, opened at the first message and
/// greeted with the peer instance's number. A chunk is framed (header, group name, raw floats) and sent straight from its
/// memory, then returned: an owned chunk to the pool, a lent view to its lender at once, since the wire has the copy.
/// </summary>
/// <remarks>
/// Invariants: only the owning rank's thread posts (the <see cref="Communicator"/>'s contract), so the group name's encoded
/// bytes are cached without a lock. A connection that cannot be opened or breaks drops this and every later message, as a
/// peer that has gone does: the round then times out naming the peer.
/// </remarks>
[DebuggerDisplay("bulk link to {_peer}")]
internal sealed class BulkCollectiveLink(BulkLane lane, CollectiveEndpoint peer) : ICollectiveLink
{
    private readonly CollectiveEndpoint _peer = peer;
    private BulkConnection? _connection;
    private bool _broken;
    private string? _group;           // the group name last sent, and its UTF-8 bytes
    private byte[] _groupBytes = [];

    public void Post(object message)
    {
        try
        {
            if (_broken) return;
            var connection = _connection ??= lane.Connect(_peer.Lane!, new BulkHello(BulkChannel.Collective, _peer.Instance));
            switch (message)
            {
                case CollectiveChunk chunk:
                    var round = chunk.Round;
                    var bytes = GroupBytes(round.Group);
                    connection.Send(new BulkFrameHeader(BulkFrameKind.Chunk, bytes.Length, chunk.Length, round.Sequence, (int)round.Operation, chunk.Step, chunk.Index, chunk.From, 0),
                        bytes, MemoryMarshal.AsBytes(chunk.Outgoing));
                    break;
                case RoundStalled stalled:
                    var group = GroupBytes(stalled.Round.Group);
                    connection.Send(new BulkFrameHeader(BulkFrameKind.Stalled, group.Length, 0, stalled.Round.Sequence, (int)stalled.Round.Operation, stalled.Step, stalled.Index, stalled.Reporter, stalled.WaitingFor),
                        group, []);
                    break;
                case AbortGroup abort:
                    var name = GroupBytes(abort.Group);
                    var reason = Encoding.UTF8.GetBytes(abort.Reason);
                    connection.Send(new BulkFrameHeader(BulkFrameKind.Abort, name.Length, reason.Length, 0, 0, 0, 0, 0, 0), name, reason);
                    break;
                default:
                    throw new ArgumentException($"A collective link carries chunks, stall reports and aborts, not {message.GetType().Name}.", nameof(message));
            }
        }
        catch (IOException)
        {
            _broken = true; // the peer has gone (or never answered): like a dead letter, what it is sent is dropped
        }
        finally
        {
            (message as CollectiveChunk)?.Return();
        }
    }

    private byte[] GroupBytes(string group)
    {
        if (!ReferenceEquals(group, _group))
        {
            _groupBytes = Encoding.UTF8.GetBytes(group);
            if (_groupBytes.Length > BulkFrameHeader.MaxGroupLength)
                throw new ArgumentException($"Group name '{group}' is {_groupBytes.Length} bytes in UTF-8; the bulk lane carries at most {BulkFrameHeader.MaxGroupLength}.");
            _group = group;
        }
        return _groupBytes;
    }

    public void Dispose() => _connection?.Dispose();
}
