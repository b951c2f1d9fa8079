using Akka.Actor;
using TpActors.Layers.Collectives;
using TpActors.Layers.Parallel;
using TpActors.Layers.Tensors;
using TpActors.Runtime.Cluster;

namespace TpActors.Layers.Ranks;

/// <summary>
/// What a rank actor owns on its thread for its whole life: its backend (standing for its device), its inbox of collective
/// chunks and its endpoint on the process's transport. Created in the actor's PreStart, on the rank's own thread, as a
/// device context would be; disposed in its PostStop. Both kinds of rank stand on it: <see cref="RankActor"/> (layer
/// commands) and the training rank.
/// </summary>
public sealed class RankDevice : IDisposable
{
    private RankDevice(int rank, RankSettings settings, IBackend backend, CollectiveInbox inbox, CollectiveTransport transport, CollectiveEndpoint endpoint)
    {
        Rank = rank;
        Settings = settings;
        Backend = backend;
        Inbox = inbox;
        Transport = transport;
        Endpoint = endpoint;
    }

    /// <summary>The rank's index in its job.</summary>
    public int Rank { get; }

    /// <summary>How the rank runs.</summary>
    public RankSettings Settings { get; }

    /// <summary>The rank's backend.</summary>
    public IBackend Backend { get; }

    /// <summary>Where peers' collective chunks for this rank arrive.</summary>
    public CollectiveInbox Inbox { get; }

    /// <summary>The process's collective transport.</summary>
    public CollectiveTransport Transport { get; }

    /// <summary>Where peers reach this rank's inbox.</summary>
    public CollectiveEndpoint Endpoint { get; }

    /// <summary>The IP address this process's bulk lane listens on (loopback without one).</summary>
    public string LaneHost => Transport.Lane is { } lane ? NodeAddress.Parse(lane.Address, "the bulk lane").Host : "127.0.0.1";

    /// <summary>
    /// The device of rank <paramref name="rank"/>, the actor of <paramref name="context"/>, whose GEMMs use
    /// <paramref name="blasThreads"/> threads. Call it from the actor's own thread.
    /// </summary>
    public static RankDevice Open(IActorContext context, int rank, int blasThreads, RankSettings settings)
    {
        var backend = CpuBackend.Create(settings.Backend, blasThreads);
        var inbox = new CollectiveInbox(SchedulerTimeProvider.For(context.System)); // virtual under a TestScheduler
        var transport = CollectiveTransport.For(context.System);
        return new RankDevice(rank, settings, backend, inbox, transport, transport.Register(context.Self, inbox));
    }

    /// <summary>A communicator for <paramref name="group"/>, whose members are <paramref name="endpoints"/>, this rank among them.</summary>
    /// <exception cref="ArgumentException">This rank's endpoint is not among them.</exception>
    public Communicator Join(string group, IReadOnlyList<CollectiveEndpoint> endpoints)
    {
        int rankInGroup = endpoints.ToList().IndexOf(Endpoint);
        if (rankInGroup < 0)
            throw new ArgumentException($"Rank {Rank} cannot join group '{group}': its endpoint is not among the {endpoints.Count} members.");
        return new Communicator(group, rankInGroup, endpoints, Inbox, Settings.Collectives, Transport);
    }

    /// <summary>The context layers of <paramref name="group"/> run in on this rank.</summary>
    public ParallelContext Context(Communicator group) => new(Backend, group);

    /// <inheritdoc/>
    public void Dispose()
    {
        Transport.Unregister(Endpoint);
        Inbox.Close();
    }
}
