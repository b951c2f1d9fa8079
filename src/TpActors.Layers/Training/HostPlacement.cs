using Akka.Actor;
using Akka.Cluster;
using TpActors.Runtime.Cluster;

namespace TpActors.Layers.Training;

/// <summary>
/// Where a cluster run's ranks are, without an actor: each rank's slot, each rank's buddy (whose host keeps a copy of its
/// snapshots), the hosts lost, unreachable or leaving, the ranks of lost hosts waiting for a slot elsewhere, and the ranks
/// suspected of having lost their host until Akka.Cluster says so.
/// </summary>
/// <remarks>
/// Invariants: nothing is placed on a lost or unreachable host, unless a new process starts at a lost one's address; a rank
/// is at most one of suspected and unplaced; every rank on an unreachable host is suspected; a host process lost once (its
/// unique address) is never counted lost again, nor unreachable after that.
/// </remarks>
internal sealed class HostPlacement
{
    private readonly SlotAssignment[] _slots;                      // where each rank runs now
    private readonly int[] _buddies;                               // per rank, the buddy named at the last join (-1: none)
    private readonly HashSet<Address> _lost = [];                  // hosts removed (or unreachable past the verdict window)
    private readonly HashSet<Address> _unreachable = [];           // hosts Akka.Cluster marks unreachable, awaiting its verdict
    private readonly HashSet<UniqueAddress> _lostProcesses = [];   // the host processes lost (a process restarted at the same address is another host)
    private readonly HashSet<Address> _draining = [];              // hosts that asked their jobs to move off them
    private readonly SortedSet<int> _unplaced = [];                // ranks of lost hosts waiting for a slot
    private readonly Dictionary<int, (Address Node, FailureKind Kind)> _suspected = []; // ranks that stopped, went silent, broke a connection or are on an unreachable host

    /// <summary>A placement of one rank per slot of <paramref name="slots"/>, in rank order.</summary>
    public HostPlacement(IReadOnlyList<SlotAssignment> slots)
    {
        _slots = slots.ToArray();
        _buddies = Enumerable.Repeat(-1, _slots.Length).ToArray();
    }

    /// <summary>What the loss of a host process means for the run.</summary>
    /// <param name="Confirmed">Suspected ranks that were on it: they wait for a slot now (their failure was counted when they were suspected).</param>
    /// <param name="Lost">The other ranks that were on it: failed with it.</param>
    public sealed record HostLoss(IReadOnlyList<int> Confirmed, IReadOnlyList<int> Lost);

    /// <summary>What a host marked unreachable means for the run.</summary>
    /// <param name="Ranks">Its ranks (not waiting for a slot): all suspected until the verdict.</param>
    /// <param name="Failed">Those of them not suspected before: they fail with it now.</param>
    /// <param name="ConnectionBroke">
    /// A bulk connection from one of its ranks broke before: its kernel closed the sockets of a process that died, so the
    /// host is taken as lost at once instead of waiting for the verdict.
    /// </param>
    public sealed record HostSuspicion(IReadOnlyList<int> Ranks, IReadOnlyList<int> Failed, bool ConnectionBroke)
    {
        /// <summary>Some rank of that host was suspected already: its failure was counted, and these belong to the same incident.</summary>
        public bool SameIncident => Failed.Count < Ranks.Count;
    }

    /// <summary>Each rank's slot, in rank order.</summary>
    public IReadOnlyList<SlotAssignment> Slots => _slots;

    /// <summary>The ranks waiting for a slot, in rank order.</summary>
    public IReadOnlyCollection<int> Unplaced => _unplaced;

    /// <summary>The hosts lost (and not taken by a new process since).</summary>
    public IReadOnlyCollection<Address> LostHosts => _lost;

    /// <summary>Whether some rank waits for Akka.Cluster to confirm or clear its host.</summary>
    public bool AnySuspected => _suspected.Count > 0;

    /// <summary>Whether some suspect's host is still reachable: the confirm window decides for it (an unreachable one waits for the verdict).</summary>
    public bool AnySuspectedOnReachableHost => _suspected.Values.Any(s => !_unreachable.Contains(s.Node));

    /// <summary>The hosts no rank may be placed on: the lost, the unreachable and the leaving.</summary>
    public IReadOnlyList<Address> Excluded => [.. _lost, .. _unreachable, .. _draining];

    /// <summary>The host <paramref name="rank"/> runs on.</summary>
    public Address Node(int rank) => _slots[rank].Node;

    /// <summary>Whether <paramref name="node"/> was lost (and no new process has taken its address since).</summary>
    public bool IsLost(Address node) => _lost.Contains(node);

    /// <summary>Whether <paramref name="node"/> is unreachable and awaits Akka.Cluster's verdict.</summary>
    public bool IsUnreachable(Address node) => _unreachable.Contains(node);

    /// <summary>
    /// Akka.Cluster marked the host process <paramref name="member"/> unreachable: all its ranks are suspected until it is
    /// removed (<see cref="HostLost"/>) or reachable again (<see cref="HostReachable"/>). Null when that is old news (the host
    /// is lost, or already unreachable).
    /// </summary>
    public HostSuspicion? HostUnreachable(UniqueAddress member)
    {
        if (_lostProcesses.Contains(member) || _lost.Contains(member.Address) || !_unreachable.Add(member.Address)) return null;
        var ranks = Enumerable.Range(0, _slots.Length).Where(r => _slots[r].Node == member.Address && !_unplaced.Contains(r)).ToList();
        return new HostSuspicion(ranks, ranks.Where(r => !_suspected.ContainsKey(r)).ToList(),
            ConnectionBroke: ranks.Any(r => _suspected.TryGetValue(r, out var s) && s.Kind == FailureKind.Disconnected));
    }

    /// <summary>
    /// The host process <paramref name="member"/> is reachable again: the suspects on it, to start where they were (their
    /// own host kept their snapshots). Null when it was not unreachable (or was lost meanwhile).
    /// </summary>
    public List<int>? HostReachable(UniqueAddress member)
    {
        if (_lostProcesses.Contains(member) || !_unreachable.Remove(member.Address)) return null;
        var back = _suspected.Where(s => s.Value.Node == member.Address).Select(s => s.Key).Order().ToList();
        foreach (int rank in back) _suspected.Remove(rank);
        return back;
    }

    /// <summary>
    /// The host process <paramref name="member"/> was lost: its suspects are confirmed and wait for a slot, its other ranks
    /// are lost with it. Null when that is old news (that process was lost before, or its address already was).
    /// </summary>
    public HostLoss? HostLost(UniqueAddress member)
    {
        if (!_lostProcesses.Add(member) || !_lost.Add(member.Address)) return null;
        _unreachable.Remove(member.Address);
        var confirmed = _suspected.Where(s => s.Value.Node == member.Address).Select(s => s.Key).ToList();
        foreach (int rank in confirmed)
        {
            _suspected.Remove(rank);
            _unplaced.Add(rank);
        }
        var lost = Enumerable.Range(0, _slots.Length).Where(r => _slots[r].Node == member.Address && !_unplaced.Contains(r)).ToList();
        return new HostLoss(confirmed, lost);
    }

    /// <summary>Whether <paramref name="member"/> is a new process at the address of a lost host: if so, that host counts as live again.</summary>
    public bool HostBack(UniqueAddress member)
    {
        if (!_lost.Contains(member.Address) || _lostProcesses.Contains(member)) return false;
        _lost.Remove(member.Address);
        return true;
    }

    /// <summary>Whether anything is known of <paramref name="rank"/>'s failure already: suspected, waiting for a slot, or on a lost or unreachable host.</summary>
    public bool Known(int rank) => _suspected.ContainsKey(rank) || _unplaced.Contains(rank) || _lost.Contains(_slots[rank].Node) || _unreachable.Contains(_slots[rank].Node);

    /// <summary>
    /// Whether <paramref name="rank"/>, failed as <paramref name="kind"/>, waits (instead of being started again where it was):
    /// for a slot elsewhere when its host is lost; for Akka.Cluster's view when its host is unreachable, or when it stopped,
    /// hung or broke a connection.
    /// </summary>
    public bool Waits(int rank, FailureKind kind)
    {
        if (kind == FailureKind.Lost || _lost.Contains(_slots[rank].Node))
        {
            _unplaced.Add(rank);
            return true;
        }
        if (kind is not (FailureKind.Stopped or FailureKind.Hung or FailureKind.Disconnected or FailureKind.Unreachable)) return false;
        _suspected[rank] = (_slots[rank].Node, kind);
        return true;
    }

    /// <summary>
    /// The window passed and the hosts of these suspects are still reachable members: they start where they were. Suspects on
    /// unreachable hosts wait on for the verdict.
    /// </summary>
    public List<int> ClearSuspectsOnReachableHosts()
    {
        var suspects = _suspected.Where(s => !_unreachable.Contains(s.Value.Node)).Select(s => s.Key).ToList();
        foreach (int rank in suspects) _suspected.Remove(rank);
        return suspects;
    }

    /// <summary>Whether <paramref name="slot"/>, leased for an unplaced rank, can take it (its host was not lost or marked unreachable meanwhile); if so the rank is no longer unplaced.</summary>
    public bool Placed(SlotAssignment slot) => !_lost.Contains(slot.Node) && !_unreachable.Contains(slot.Node) && _unplaced.Remove(slot.Rank);

    /// <summary>The rank of <paramref name="slot"/> runs there from now on.</summary>
    public void MoveTo(SlotAssignment slot) => _slots[slot.Rank] = slot;

    /// <summary>Host <paramref name="node"/> asked its jobs to move off it; false when it is lost or already leaving.</summary>
    public bool Drain(Address node) => !_lost.Contains(node) && _draining.Add(node);

    /// <summary>Whether some host is leaving.</summary>
    public bool AnyDraining => _draining.Count > 0;

    /// <summary>The ranks still on leaving hosts, in rank order.</summary>
    public List<int> RanksOnDrainingHosts() => Enumerable.Range(0, _slots.Length).Where(r => _draining.Contains(_slots[r].Node)).ToList();

    /// <summary>Forgets the leaving hosts (their ranks moved, or cannot), returning them.</summary>
    public List<Address> ClearDraining()
    {
        var hosts = _draining.ToList();
        _draining.Clear();
        return hosts;
    }

    /// <summary>Names every rank's buddy: the rank on the nearest other live host after it, in rank order (-1: none).</summary>
    public void NameBuddies()
    {
        for (int r = 0; r < _slots.Length; r++) _buddies[r] = BuddyOf(r);
    }

    /// <summary><paramref name="rank"/>'s buddy, named at the last join (-1: none).</summary>
    public int Buddy(int rank) => _buddies[rank];

    /// <summary>The hosts that keep <paramref name="rank"/>'s snapshot: its own and its buddy's.</summary>
    public IEnumerable<Address> Keepers(int rank)
    {
        yield return _slots[rank].Node;
        if (_buddies[rank] >= 0) yield return _slots[_buddies[rank]].Node;
    }

    private int BuddyOf(int rank)
    {
        for (int k = 1; k < _slots.Length; k++)
        {
            int other = (rank + k) % _slots.Length;
            if (_slots[other].Node != _slots[rank].Node && !_lost.Contains(_slots[other].Node)) return other;
        }
        return -1;
    }
}
