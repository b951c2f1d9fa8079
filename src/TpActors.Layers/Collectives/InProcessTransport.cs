using System.Collections.Concurrent;
using Akka.Actor;

namespace TpActors.Layers.Collectives;

/// <summary>
/// The collective transport between ranks of one actor system: a rank registers its inbox under a fresh
/// <see cref="CollectiveEndpoint"/> when it starts and removes it when it stops; a link posts straight into the peer's inbox
/// on the sender's thread, so a chunk costs one queue operation and no actor message. An Akka extension: one per system.
/// </summary>
public sealed class InProcessTransport : IExtension, ICollectiveTransport
{
    private static long s_instances;
    private readonly ConcurrentDictionary<CollectiveEndpoint, CollectiveInbox> _inboxes = new();

    /// <summary>The transport of <paramref name="system"/>.</summary>
    public static InProcessTransport For(ActorSystem system) => system.WithExtension<InProcessTransport, InProcessTransportId>();

    /// <summary>Registers <paramref name="rank"/>'s new instance and its inbox; the endpoint peers connect to.</summary>
    public CollectiveEndpoint Register(IActorRef rank, CollectiveInbox inbox)
    {
        var endpoint = new CollectiveEndpoint(rank, Interlocked.Increment(ref s_instances));
        _inboxes[endpoint] = inbox;
        return endpoint;
    }

    /// <summary>Removes an instance that stopped: links to it drop what they are given from now on.</summary>
    public void Unregister(CollectiveEndpoint endpoint) => _inboxes.TryRemove(endpoint, out _);

    /// <inheritdoc/>
    public ICollectiveLink Connect(CollectiveEndpoint peer) =>
        _inboxes.TryGetValue(peer, out var inbox) ? new InboxLink(inbox) : DroppingLink.Instance;

    // Hands a message to a live peer's inbox; the inbox itself drops it once that instance has stopped.
    private sealed class InboxLink(CollectiveInbox inbox) : ICollectiveLink
    {
        public void Post(object message) => inbox.Post(message);
    }

    // A peer that has gone: its messages are dropped (a chunk goes back to the pool), as dead letters are.
    private sealed class DroppingLink : ICollectiveLink
    {
        public static readonly DroppingLink Instance = new();

        public void Post(object message) => (message as CollectiveChunk)?.Return();
    }
}

/// <summary>Akka's handle on the <see cref="InProcessTransport"/> extension.</summary>
public sealed class InProcessTransportId : ExtensionIdProvider<InProcessTransport>
{
    /// <inheritdoc/>
    public override InProcessTransport CreateExtension(ExtendedActorSystem system) => new();
}
