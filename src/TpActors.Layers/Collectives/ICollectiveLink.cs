namespace TpActors.Layers.Collectives;

/// <summary>
/// One direction of a connection to a peer's collective inbox: the only way a <see cref="Communicator"/> sends. In one
/// process it hands the message over; between processes it frames it onto the bulk lane (see <see cref="CollectiveTransport"/>).
/// </summary>
/// <remarks>
/// Invariants: messages posted by one thread arrive in the order posted; a posted <see cref="CollectiveChunk"/> belongs to the
/// receiver, and the sender does not touch it again. Disposing a link closes its connection, if it has one. Delivery never waits on the receiving rank's actor: a rank blocked in a
/// collective (its mailbox busy) still receives its round's chunks.
/// </remarks>
public interface ICollectiveLink : IDisposable
{
    /// <summary>Delivers a <see cref="CollectiveChunk"/>, a <see cref="RoundStalled"/> or an <see cref="AbortGroup"/> to the peer.</summary>
    void Post(object message);
}

/// <summary>Turns a peer's <see cref="CollectiveEndpoint"/> into a link; one per actor system.</summary>
public interface ICollectiveTransport
{
    /// <summary>A link to <paramref name="peer"/>; a peer that has gone has a link that drops what it is given.</summary>
    ICollectiveLink Connect(CollectiveEndpoint peer);

    /// <summary>What carries messages between the ranks at <paramref name="from"/> and <paramref name="to"/>.</summary>
    CollectiveLinkKind KindOf(CollectiveEndpoint from, CollectiveEndpoint to);
}
