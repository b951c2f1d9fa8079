using Akka.Actor;
using Akka.Cluster;
using AkkaCluster = Akka.Cluster.Cluster;

namespace TpActors.Runtime.Cluster;

/// <summary>
/// A job's slots on the cluster's hosts, leased by a driver: ranks fill the hosts in address order. The lease holds while
/// this object lives; disposing it releases every slot (and a driver that dies releases them by DeathWatch).
/// </summary>
public sealed class SlotLease : IAsyncDisposable
{
    private readonly IActorRef _holder;

    private SlotLease(IActorRef holder, IReadOnlyList<SlotAssignment> ranks)
    {
        _holder = holder;
        Ranks = ranks;
    }

    /// <summary>Each rank's place, by rank.</summary>
    public IReadOnlyList<SlotAssignment> Ranks { get; }

    /// <summary>
    /// Leases <paramref name="ranks"/> slots for <paramref name="job"/>, waiting up to <paramref name="wait"/> for enough hosts
    /// to be Up with free slots.
    /// </summary>
    /// <exception cref="TimeoutException">Not enough slots in time; the message lists every host and its slots.</exception>
    public static async Task<SlotLease> AcquireAsync(ActorSystem system, string job, int ranks, TimeSpan wait)
    {
        var cluster = AkkaCluster.Get(system);
        var holder = system.ActorOf(Props.Empty, $"lease-{Uri.EscapeDataString(job)}");
        var deadline = DateTime.UtcNow + wait;
        string seen = "none";
        while (true)
        {
            var hosts = cluster.State.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(ClusterBootstrap.HostRole))
                .OrderBy(m => m.Address, Member.AddressOrdering).ToList();
            var offers = await Task.WhenAll(hosts.Select(h => OfferOf(system, h.Address))).ConfigureAwait(false);
            seen = hosts.Count == 0 ? "none" : string.Join("; ", hosts.Zip(offers, (h, o) =>
                $"{NodeAddress.Of(h.Address)}: {(o is null ? "no answer" : $"{o.Free} of {o.Slots} slots free")}"));
            if (offers.Sum(o => o?.Free ?? 0) >= ranks && await TryLease(system, job, ranks, holder, hosts, offers).ConfigureAwait(false) is { } placed)
                return new SlotLease(holder, placed);
            if (DateTime.UtcNow >= deadline) break;
            await Task.Delay(TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
        }
        system.Stop(holder);
        throw new TimeoutException($"The job needs {ranks} rank slots; after {wait.TotalSeconds:0.###}s (tpactors.cluster.slot-wait) the cluster's hosts offer fewer. Hosts seen: {seen}.");
    }

    private static async Task<SlotOffer?> OfferOf(ActorSystem system, Address node)
    {
        try
        {
            return await HostOf(system, node).Ask<SlotOffer>(GetSlotOffer.Instance, TimeSpan.FromSeconds(3)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or AskTimeoutException)
        {
            return null;
        }
    }

    // Leases in address order; when a host has fewer free slots than it offered a moment ago, gives back what it took.
    private static async Task<IReadOnlyList<SlotAssignment>?> TryLease(ActorSystem system, string job, int ranks, IActorRef holder, List<Member> hosts, SlotOffer?[] offers)
    {
        var placed = new List<SlotAssignment>();
        var leasedFrom = new List<Address>();
        try
        {
            for (int h = 0; h < hosts.Count && placed.Count < ranks; h++)
            {
                if (offers[h] is not { Free: > 0 } offer) continue;
                int take = Math.Min(offer.Free, ranks - placed.Count);
                var leased = await HostOf(system, hosts[h].Address).Ask<SlotsLeased>(new LeaseSlots(job, take, holder), TimeSpan.FromSeconds(3)).ConfigureAwait(false);
                leasedFrom.Add(hosts[h].Address);
                foreach (int slot in leased.Slots) placed.Add(new SlotAssignment(placed.Count, hosts[h].Address, slot, offer.Cores, take));
            }
            return placed;
        }
        catch (Exception e) when (e is TimeoutException or AskTimeoutException or InvalidOperationException)
        {
            foreach (var node in leasedFrom) HostOf(system, node).Tell(new ReleaseSlots(job));
            return null;
        }
    }

    private static ActorSelection HostOf(ActorSystem system, Address node) => system.ActorSelection(new RootActorPath(node) / "user" / HostSlots.Name);

    /// <summary>Releases every slot of the lease.</summary>
    public async ValueTask DisposeAsync() => await _holder.GracefulStop(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
}
