using TpActors.Runtime.Cluster;
using TpActors.Layers.Collectives;

namespace TpActors.Layers.Execution;

/// <summary>
/// Names a <see cref="ShardState"/> that travels on the bulk lane instead of in the control message that carries this:
/// a rank and its supervisor in different processes hand states over as a blob of <see cref="ShardStateWire"/> bytes
/// under <paramref name="Ticket"/>, sent to the receiver's lane before the message.
/// </summary>
public sealed record ShardStateTicket(long Ticket, long Bytes) : IClusterMessage;

/// <summary>
/// Hands a rank's state between a rank and its supervisor: as the object itself when both are in one process, or as a
/// <see cref="ShardStateTicket"/> whose bytes go over the bulk lane (a tensor never rides on Akka.Remote).
/// </summary>
public static class StateHandover
{
    /// <summary>
    /// What to put in a message to a receiver whose process's lane is <paramref name="toLane"/>: <paramref name="state"/>
    /// itself when that is this process (or either has no lane), or a ticket for its bytes, sent to that lane now. The
    /// caller keeps <paramref name="state"/> either way.
    /// </summary>
    /// <exception cref="IOException">The receiver's lane cannot be reached.</exception>
    public static object Hand(ShardState state, string? toLane, CollectiveTransport transport)
    {
        if (!IsRemote(toLane, transport)) return state;
        var bytes = ShardStateWire.ToBytes(state);
        long ticket = Random.Shared.NextInt64();
        transport.Lane!.SendBlob(toLane!, ticket, bytes);
        return new ShardStateTicket(ticket, bytes.Length);
    }

    /// <summary>Whether a receiver whose process's lane is <paramref name="toLane"/> is in another process.</summary>
    public static bool IsRemote(string? toLane, CollectiveTransport transport) => toLane is not null && transport.Lane is { } lane && lane.Address != toLane;

    /// <summary>The state a ticket names, once its bytes have arrived on this process's lane; the caller owns it.</summary>
    /// <exception cref="TimeoutException">The bytes did not arrive within the blob timeout.</exception>
    public static async Task<ShardState> TakeAsync(ShardStateTicket ticket, CollectiveTransport transport)
    {
        var lane = transport.Lane ?? throw new InvalidOperationException("A state ticket arrived in a process without a bulk lane.");
        var bytes = await lane.Blobs.ClaimAsync(ticket.Ticket).ConfigureAwait(false);
        return ShardStateWire.FromBytes(bytes);
    }
}
