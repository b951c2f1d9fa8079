using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using AkkaCluster = Akka.Cluster.Cluster;

namespace TpActors.Runtime.Cluster;

/// <summary>
/// A job's slots on the cluster's hosts, leased by a driver: ranks fill the hosts in address order. The lease holds while
/// this object lives; disposing it releases every slot (and a driver that dies releases them by DeathWatch). When a host
/// is lost, <see cref="PlaceAsync"/> leases slots for its ranks on the others, under the same job and holder.
/// </summary>
public sealed class SlotLease : IAsyncDisposable, IRankPlacer
{
    private readonly ActorSystem _system;
    private readonly string _job;
    private readonly IActorRef _holder;
    private readonly TimeSpan _replaceWait;
    private readonly List<SlotAssignment> _held; // every slot leased so far, by rank (a re-placed rank has one per host it ran on)

    private SlotLease(ActorSystem system, string job, IActorRef holder, IReadOnlyList<SlotAssignment> ranks, TimeSpan replaceWait)
    {
        _system = system;
        _job = job;
        _holder = holder;
        _replaceWait = replaceWait;
        Ranks = ranks;
        _held = [.. ranks];
    }

    /// <summary>Each rank's place at the start of the job, by rank.</summary>
    public IReadOnlyList<SlotAssignment> Ranks { get; }

    /// <summary>
    /// Leases <paramref name="ranks"/> slots for <paramref name="job"/>, waiting up to <paramref name="wait"/> for enough hosts
    /// to be Up with free slots; <see cref="PlaceAsync"/> waits up to <paramref name="replaceWait"/> (default: the same).
    /// </summary>
    /// <exception cref="TimeoutException">Not enough slots in time; the message lists every host and its slots.</exception>
    /// <exception cref="NotEnoughSlotsException">The hosts that prove the cluster's secret have too few slots, whoever else offers them.</exception>
    public static async Task<SlotLease> AcquireAsync(ActorSystem system, string job, int ranks, TimeSpan wait, TimeSpan? replaceWait = null)
    {
        var holder = system.ActorOf(LeaseHolder.Props(), $"lease-{Uri.EscapeDataString(job)}");
        try
        {
            var placed = await LeaseAsync(system, job, holder, Enumerable.Range(0, ranks).ToList(), [], [], wait, $"The job needs {ranks} rank slot{(ranks == 1 ? "" : "s")}",
                $"The job needs {ranks} rank slots; after {wait.TotalSeconds:0.###}s (tpactors.cluster.slot-wait) the cluster's hosts offer fewer.").ConfigureAwait(false);
            return new SlotLease(system, job, holder, placed, replaceWait ?? wait);
        }
        catch
        {
            system.Stop(holder);
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<SlotAssignment>> PlaceAsync(IReadOnlyList<int> ranks, IReadOnlyCollection<Address> avoid)
    {
        var placed = await LeaseAsync(_system, _job, _holder, ranks, avoid, _held, _replaceWait,
            $"Rank{(ranks.Count == 1 ? "" : "s")} {string.Join(", ", ranks)} lost {(ranks.Count == 1 ? "its host and needs a slot" : $"their hosts and need {ranks.Count} slots")}",
            $"Rank{(ranks.Count == 1 ? "" : "s")} {string.Join(", ", ranks)} lost {(ranks.Count == 1 ? "its host" : "their hosts")}; after {_replaceWait.TotalSeconds:0.###}s " +
            "(tpactors.cluster.replace-wait) no other host offers a free slot for them.").ConfigureAwait(false);
        lock (_held) _held.AddRange(placed);
        return placed;
    }

    /// <inheritdoc/>
    public void Watch(IActorRef supervisor) => _holder.Tell(new WatchLease(supervisor));

    /// <inheritdoc/>
    public void Release(Address node) => HostOf(_system, node).Tell(new ReleaseSlots(_job));

    // Polls the Up hosts (not in avoid) until their free slots fit the ranks, then leases them in address order. Only
    // hosts whose offers prove the cluster's secret count; when those have too few slots in all, waiting cannot help.
    private static async Task<IReadOnlyList<SlotAssignment>> LeaseAsync(ActorSystem system, string job, IActorRef holder, IReadOnlyList<int> ranks,
        IReadOnlyCollection<Address> avoid, IReadOnlyList<SlotAssignment> held, TimeSpan wait, string need, string shortfall)
    {
        var cluster = AkkaCluster.Get(system);
        string secret = system.Settings.Config.GetString("tpactors.cluster.secret", "");
        var deadline = DateTime.UtcNow + wait;
        var warned = new HashSet<Address>();
        // The host processes to avoid are those at those addresses now: a process started later at one of them (a host
        // restarted on its own address) is a new host, and its slots count.
        var avoided = cluster.State.Members.Concat(cluster.State.Unreachable).Where(m => avoid.Contains(m.Address)).Select(m => m.UniqueAddress).ToHashSet();
        string seen;
        while (true)
        {
            var hosts = cluster.State.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(ClusterBootstrap.HostRole) && !avoided.Contains(m.UniqueAddress)
                                                         && !cluster.State.Unreachable.Contains(m))
                .OrderBy(m => m.Address, Member.AddressOrdering).ToList();
            var asked = await Task.WhenAll(hosts.Select(h => OfferOf(system, h.Address, secret))).ConfigureAwait(false);
            var offers = asked.Select(a => a.Proven ? a.Offer : null).ToArray(); // a host that cannot prove the secret offers nothing
            seen = hosts.Count == 0 ? "none" : string.Join("; ", hosts.Zip(asked, (h, a) =>
                $"{NodeAddress.Of(h.Address)}: {(a.Offer is null ? "no answer" : !a.Proven ? "does not hold the cluster's secret, not used" : $"{a.Offer.Free} of {a.Offer.Slots} slots free")}"));
            var strangers = hosts.Where((_, i) => asked[i].Offer is not null && !asked[i].Proven).Select(h => h.Address).ToList();
            foreach (var stranger in strangers.Where(warned.Add))
                system.Log.Warning("Host {0} offers rank slots but does not prove it holds the cluster's secret (tpactors.cluster.secret differs); it is not used.", NodeAddress.Of(stranger));
            var proven = hosts.Where((_, i) => asked[i].Proven).ToList();
            int provenSlots = asked.Where(a => a.Proven).Sum(a => a.Offer!.Slots);
            if (strangers.Count > 0 && provenSlots < ranks.Count)
                throw new NotEnoughSlotsException($"{need}; the hosts that hold the cluster's secret have {provenSlots} slot{(provenSlots == 1 ? "" : "s")} in all" +
                    $" ({(proven.Count == 0 ? "none" : string.Join(", ", proven.Select(h => NodeAddress.Of(h.Address).ToString())))}), " +
                    $"and {string.Join(", ", strangers.Select(s => NodeAddress.Of(s)))} {(strangers.Count == 1 ? "does" : "do")} not prove {(strangers.Count == 1 ? "it holds" : "they hold")} the secret " +
                    "(tpactors.cluster.secret differs there). Start hosts with this cluster's secret, or ask for fewer ranks.");
            if (offers.Sum(o => o?.Free ?? 0) >= ranks.Count && await TryLease(system, job, ranks, holder, hosts, offers, held, avoid).ConfigureAwait(false) is { } placed)
                return placed;
            if (DateTime.UtcNow >= deadline) break;
            await Task.Delay(TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
        }
        throw new TimeoutException($"{shortfall} Hosts seen: {seen}.");
    }

    /// <summary>A host's offer (null: no answer within 3 s), and whether it proved the cluster's <paramref name="secret"/> for a fresh challenge.</summary>
    public static async Task<(SlotOffer? Offer, bool Proven)> OfferOf(ActorSystem system, Address node, string secret)
    {
        string challenge = SlotOfferProof.NewChallenge();
        try
        {
            var offer = await HostOf(system, node).Ask<SlotOffer>(new GetSlotOffer(challenge), TimeSpan.FromSeconds(3)).ConfigureAwait(false);
            return (offer, SlotOfferProof.Verify(secret, challenge, NodeAddress.Of(node).ToString(), offer.Proof));
        }
        catch (Exception e) when (e is TimeoutException or AskTimeoutException)
        {
            return (null, false);
        }
    }

    // Leases in address order; when a host has fewer free slots than it offered a moment ago, gives back what it took. A
    // host's ranks of this job share its cores: those leased now and those it already runs.
    private static async Task<IReadOnlyList<SlotAssignment>?> TryLease(ActorSystem system, string job, IReadOnlyList<int> ranks, IActorRef holder,
        List<Member> hosts, SlotOffer?[] offers, IReadOnlyList<SlotAssignment> held, IReadOnlyCollection<Address> avoid)
    {
        var placed = new List<SlotAssignment>();
        var leasedFrom = new List<(Address Node, IReadOnlyList<int> Slots)>();
        try
        {
            for (int h = 0; h < hosts.Count && placed.Count < ranks.Count; h++)
            {
                if (offers[h] is not { Free: > 0 } offer) continue;
                int take = Math.Min(offer.Free, ranks.Count - placed.Count);
                var node = hosts[h].Address;
                var leased = await HostOf(system, node).Ask<SlotsLeased>(new LeaseSlots(job, take, holder), TimeSpan.FromSeconds(3)).ConfigureAwait(false);
                leasedFrom.Add((node, leased.Slots));
                int already = held.Where(a => a.Node == node).Select(a => a.Rank).Except(ranks).Count();
                foreach (int slot in leased.Slots) placed.Add(new SlotAssignment(ranks[placed.Count], node, slot, offer.Cores, take + already));
            }
            return placed;
        }
        catch (Exception e) when (e is TimeoutException or AskTimeoutException or InvalidOperationException)
        {
            // Leases of one job on one host are released together: the first placement's slots on a host that was not lost stay held.
            if (held.Count == 0) foreach (var (node, _) in leasedFrom) HostOf(system, node).Tell(new ReleaseSlots(job));
            return null;
        }
    }

    private static ActorSelection HostOf(ActorSystem system, Address node) => system.ActorSelection(new RootActorPath(node) / "user" / HostSlots.Name);

    /// <summary>Releases every slot of the lease.</summary>
    public async ValueTask DisposeAsync() => await _holder.GracefulStop(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
}
