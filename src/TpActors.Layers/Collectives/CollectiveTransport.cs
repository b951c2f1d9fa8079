using System.Collections.Concurrent;
using System.Net;
using Akka.Actor;
using Akka.Event;
using Akka.Remote;
using TpActors.Runtime.Transport;

namespace TpActors.Layers.Collectives;

/// <summary>
/// The collective transport of one actor system (an Akka extension): a rank registers its inbox under a fresh
/// <see cref="CollectiveEndpoint"/> when it starts and removes it when it stops. A link to a rank of this process posts
/// straight into its inbox on the sender's thread (one queue operation, no actor message); a link to a rank of another
/// process frames the message onto the bulk lane (<see cref="BulkCollectiveLink"/>), whose reader posts it into the same
/// inbox. A system that is not remote-capable opens no lane: all its ranks are in-process.
/// </summary>
public sealed class CollectiveTransport : IExtension, ICollectiveTransport, IDisposable
{
    private static long s_instances;
    private readonly ConcurrentDictionary<long, CollectiveInbox> _inboxes = new();

    /// <summary>A transport for ranks of one process only (no bulk lane).</summary>
    public CollectiveTransport()
    {
    }

    // A transport whose process listens for other processes' ranks on a bulk lane bound to bind.
    // A chunk larger than maxChunkFloats (this process's bulk chunk size) is refused: a peer cannot make it allocate more.
    private CollectiveTransport(IPEndPoint bind, BulkLaneSettings settings, int maxChunkFloats, Microsoft.Extensions.Logging.ILogger? log) =>
        Lane = BulkLane.Listen(bind, settings, instance => _inboxes.TryGetValue(instance, out var inbox) ? new InboxFrameSink(inbox, maxChunkFloats) : null, log);

    /// <summary>This process's bulk lane, or null when it has none.</summary>
    public BulkLane? Lane { get; }

    /// <summary>The transport of <paramref name="system"/>.</summary>
    public static CollectiveTransport For(ActorSystem system) => system.WithExtension<CollectiveTransport, CollectiveTransportId>();

    /// <summary>Registers <paramref name="rank"/>'s new instance and its inbox; the endpoint peers connect to.</summary>
    public CollectiveEndpoint Register(IActorRef rank, CollectiveInbox inbox)
    {
        var endpoint = new CollectiveEndpoint(rank, Interlocked.Increment(ref s_instances), Lane?.Address);
        _inboxes[endpoint.Instance] = inbox;
        return endpoint;
    }

    /// <summary>Removes an instance that stopped: links to it drop what they are given from now on.</summary>
    public void Unregister(CollectiveEndpoint endpoint) => _inboxes.TryRemove(endpoint.Instance, out _);

    /// <inheritdoc/>
    public ICollectiveLink Connect(CollectiveEndpoint peer)
    {
        if (peer.Lane is not null && peer.Lane != Lane?.Address)
            return Lane is null ? throw new InvalidOperationException($"{peer} is in another process, and this process has no bulk lane (its actor system is not remote-capable).")
                : new BulkCollectiveLink(Lane, peer);
        return _inboxes.TryGetValue(peer.Instance, out var inbox) ? new InboxLink(inbox) : DroppingLink.Instance;
    }

    /// <inheritdoc/>
    public CollectiveLinkKind KindOf(CollectiveEndpoint from, CollectiveEndpoint to)
    {
        if (from.Lane == to.Lane) return CollectiveLinkKind.InProcess;
        return from.Lane is not null && to.Lane is not null && Lane is not null && Lane.SharesMemory(from.Lane, to.Lane)
            ? CollectiveLinkKind.SharedMemory : CollectiveLinkKind.Tcp;
    }

    /// <summary>Closes the bulk lane, if any.</summary>
    public void Dispose() => Lane?.Dispose();

    /// <summary>The transport for <paramref name="system"/>: with a bulk lane on the host of its remote address when it has one.</summary>
    internal static CollectiveTransport Create(ExtendedActorSystem system)
    {
        if (system.Provider is not IRemoteActorRefProvider remote) return new CollectiveTransport();
        var config = system.Settings.Config;
        var settings = new BulkLaneSettings(
            (int)(config.GetByteSize("tpactors.cluster.bulk.send-buffer") ?? BulkLaneSettings.Default.SendBuffer),
            (int)(config.GetByteSize("tpactors.cluster.bulk.receive-buffer") ?? BulkLaneSettings.Default.ReceiveBuffer),
            config.GetTimeSpan("tpactors.cluster.bulk.connect-timeout", BulkLaneSettings.Default.ConnectTimeout),
            config.GetByteSize("tpactors.cluster.bulk.max-blob") ?? BulkLaneSettings.Default.MaxBlobBytes,
            config.GetTimeSpan("tpactors.cluster.bulk.blob-timeout", BulkLaneSettings.Default.BlobTimeout),
            config.GetString("tpactors.cluster.secret", ""),
            config.GetByteSize("tpactors.cluster.bulk.shm-ring") ?? BulkLaneSettings.Default.RingBytes)
        {
            HandshakeTimeout = config.GetTimeSpan("tpactors.cluster.bulk.handshake-timeout", BulkLaneSettings.Default.HandshakeTimeout),
            MaxPendingHandshakes = config.GetInt("tpactors.cluster.bulk.max-pending-handshakes", BulkLaneSettings.Default.MaxPendingHandshakes),
        };
        string host = remote.DefaultAddress.Host ?? "127.0.0.1";
        var ip = IPAddress.TryParse(host, out var parsed) ? parsed : Dns.GetHostAddresses(host).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        int maxChunkFloats = (int)Math.Min(int.MaxValue, (config.GetByteSize("tpactors.cluster.bulk.chunk-size") ?? 1L << 20) / sizeof(float));
        var transport = new CollectiveTransport(new IPEndPoint(ip, config.GetInt("tpactors.cluster.bulk.port", 0)), settings, maxChunkFloats, null);
        system.RegisterOnTermination(transport.Dispose);
        return transport;
    }

    // Hands a message to a live peer's inbox; the inbox itself drops it once that instance has stopped.
    private sealed class InboxLink(CollectiveInbox inbox) : ICollectiveLink
    {
        public void Post(object message) => inbox.Post(message);

        public void Dispose()
        {
        }
    }

    // A peer that has gone: its messages are dropped (a chunk goes back to the pool), as dead letters are.
    private sealed class DroppingLink : ICollectiveLink
    {
        public static readonly DroppingLink Instance = new();

        public void Post(object message) => (message as CollectiveChunk)?.Return();

        public void Dispose()
        {
        }
    }
}

/// <summary>Akka's handle on the <see cref="CollectiveTransport"/> extension.</summary>
public sealed class CollectiveTransportId : ExtensionIdProvider<CollectiveTransport>
{
    /// <inheritdoc/>
    public override CollectiveTransport CreateExtension(ExtendedActorSystem system) => CollectiveTransport.Create(system);
}
