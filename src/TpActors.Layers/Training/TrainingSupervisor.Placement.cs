using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using TpActors.Runtime.Cluster;
using AkkaCluster = Akka.Cluster.Cluster;
using TpActors.Layers.Checkpoints;

namespace TpActors.Layers.Training;

// Ranks on a cluster's hosts: where each runs, which host keeps a copy of its snapshot (its buddy's), and what happens when
// a host is lost: Akka.Cluster marks it unreachable, its ranks are placed on free slots of the other hosts and restored
// from the copies, or, when a rank and its copy were both lost, from the last checkpoint on disk.
public sealed partial class TrainingSupervisor
{
    private readonly SlotAssignment[]? _placement;       // where each rank runs now (null: all in this process)
    private readonly HashSet<Address> _lostNodes = [];   // hosts marked unreachable or removed: nothing is placed there again, unless a new process starts at the address
    private readonly HashSet<UniqueAddress> _lostIncarnations = []; // the host processes lost (a process restarted at the same address is another host)
    private readonly HashSet<Address>[] _copies;         // per rank, the hosts whose vaults hold its snapshot of _snapshotStep
    private readonly int[] _buddies;                     // per rank, the buddy named at the last join (-1: none)
    private readonly long[] _replicated;                 // per rank on a host, the last step whose copy its buddy's host confirmed (-1: none)
    private readonly SortedSet<int> _unplaced = [];      // ranks of lost hosts waiting for a slot
    private readonly Dictionary<int, Address> _suspected = []; // ranks that stopped or went silent, waiting for Akka.Cluster to say whether their host is lost
    private bool _placing;                               // a slot request is out
    private const string ConfirmTimer = "confirm-loss";

    private void WatchHosts()
    {
        if (_placement is null) return;
        AkkaCluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.MemberUp));
    }

    private void StopWatchingHosts()
    {
        if (_placement is not null) AkkaCluster.Get(Context.System).Unsubscribe(Self);
    }

    // Every rank of a host that Akka.Cluster can no longer reach is lost; its replacements go elsewhere. A suspect of that
    // host (already recovering) is placed elsewhere too.
    private void OnHostLost(Member member, string how)
    {
        // The removal of a process already lost (or replaced by a new one at its address) is old news.
        if (_placement is null || !_lostIncarnations.Add(member.UniqueAddress) || !_lostNodes.Add(member.Address)) return;
        var confirmed = _suspected.Where(s => s.Value == member.Address).Select(s => s.Key).ToList();
        foreach (int rank in confirmed)
        {
            _suspected.Remove(rank);
            _unplaced.Add(rank);
        }
        var lost = Enumerable.Range(0, _ranks.Length).Where(r => _placement[r].Node == member.Address && !_unplaced.Contains(r)).ToList();
        string host = NodeAddress.Of(member.Address).ToString();
        if (lost.Count > 0) Recover(lost.Select(r => new RankFailure(r, FailureKind.Lost, $"lost its host {host} ({how})", StuckIn(r))).ToList(),
            counted: confirmed.Count > 0); // a suspect confirmed: its host's other ranks belong to the same incident
        else if (_unplaced.Count > 0) Proceed();
    }

    // A new host process at the address of a lost one (restarted there) is a host like any other: ranks may be placed on
    // it. The copies the lost process kept are gone with it (GoneCopy stands for each, so a rank that had no other copy is
    // still known to need the disk).
    private void OnHostUp(Member member)
    {
        if (_placement is null || !_lostNodes.Contains(member.Address) || _lostIncarnations.Contains(member.UniqueAddress)) return;
        _lostNodes.Remove(member.Address);
        foreach (var copies in _copies)
            if (copies.Remove(member.Address)) copies.Add(GoneCopy);
        _log.Info("Host {0} is back: a new process at the address of the lost one; its slots can be leased again.", NodeAddress.Of(member.Address));
    }

    // A new process at a lost host's address that the lease found Up before this actor heard of it.
    private void NoticeRestartedHost(Address node)
    {
        if (!_lostNodes.Contains(node)) return;
        foreach (var member in AkkaCluster.Get(Context.System).State.Members.Where(m => m.Address == node && m.Status == MemberStatus.Up).ToList()) OnHostUp(member);
    }

    // Where a copy kept by a host process that was lost, and whose address a new process now has, stood.
    private static readonly Address GoneCopy = new("akka.tcp", "tpactors-copy-lost-with-its-host");

    // Whether a host that keeps copies is gone: lost, or the copy was lost with an earlier process at its address.
    private bool IsLost(Address node) => node == GoneCopy || _lostNodes.Contains(node);

    // A bulk connection from a rank on another host broke: the host has most likely died (its kernel closed the rank's
    // sockets). The group stops at once and the rank is suspected; Akka.Cluster's view decides, as for a rank that stopped.
    private void OnPeerConnectionLost(PeerConnectionLost lost)
    {
        if (_placement is null || _finished || lost.Group != Group || (uint)lost.Peer >= (uint)_ranks.Length) return; // an old attempt's connection
        int peer = lost.Peer;
        var node = _placement[peer].Node;
        if (_suspected.ContainsKey(peer) || _unplaced.Contains(peer) || _lostNodes.Contains(node)) return; // already known
        string host = NodeAddress.Of(node).ToString();
        _log.Info("Rank {0}'s bulk connection from rank {1} broke: suspecting host {2}, until Akka.Cluster confirms it.", lost.Rank, peer, host);
        Recover([new RankFailure(peer, FailureKind.Disconnected, $"broke its bulk connection to rank {lost.Rank} (host {host} suspected)", StuckIn(peer))]);
    }

    // A rank on a host that stopped (DeathWatch), went silent or broke a connection is not started again at once: a host
    // that has just died shows first as such, and Akka.Cluster's view decides (Unreachable: it is placed elsewhere; still
    // reachable after the window: it is started where it was).
    private bool AwaitsConfirmation(int rank, FailureKind kind)
    {
        if (_placement is null || kind is not (FailureKind.Stopped or FailureKind.Hung or FailureKind.Disconnected)) return false;
        _suspected[rank] = _placement[rank].Node;
        return true;
    }

    // The window for Akka.Cluster to mark a dead host unreachable: its failure detector's pause and a few heartbeats more.
    private TimeSpan ConfirmWindow
    {
        get
        {
            var config = Context.System.Settings.Config;
            return config.GetTimeSpan("akka.cluster.failure-detector.acceptable-heartbeat-pause", TimeSpan.FromSeconds(3))
                 + 3 * config.GetTimeSpan("akka.cluster.failure-detector.heartbeat-interval", TimeSpan.FromSeconds(1)) + TimeSpan.FromSeconds(1);
        }
    }

    // The window passed and the suspects' hosts are still members: they are started where they were.
    private void OnLossUnconfirmed()
    {
        foreach (int rank in _suspected.Keys.ToList()) _ranks[rank] = Spawn(rank);
        _suspected.Clear();
        Proceed();
    }

    // After a recovery is planned: wait for suspects to be confirmed, place the ranks of lost hosts, or re-form the group.
    private void Proceed()
    {
        if (_suspected.Count > 0)
        {
            Quiesce();
            if (!Timers.IsTimerActive(ConfirmTimer)) Timers.StartSingleTimer(ConfirmTimer, LossUnconfirmed.Instance, ConfirmWindow);
            return;
        }
        Timers.Cancel(ConfirmTimer);
        if (UnrestorableRanks() is { Count: > 0 } unrestorable && !RestoreFromDisk(unrestorable)) return;
        if (_unplaced.Count > 0) PlaceLost();
        else Connect();
    }

    // No phase is out: anything a rank still sends belongs to an aborted round.
    private void Quiesce()
    {
        _rounds.Quiesce(new PhaseRound(_attempt, _committedStep, TrainingPhase.Connect));
    }

    // A rank of a lost host waits for a slot elsewhere instead of being started again where it was.
    private bool AwaitsPlacement(int rank, FailureKind kind)
    {
        if (_placement is null || (kind != FailureKind.Lost && !_lostNodes.Contains(_placement[rank].Node))) return false;
        _unplaced.Add(rank);
        return true;
    }

    // Leases slots for the unplaced ranks; the answer (RanksPlaced or PlacementFailed) continues the recovery.
    private void PlaceLost()
    {
        Quiesce(); // while the slots are sought
        if (_placing) return;
        if (_options.Placer is not { } placer)
        {
            FailAtLastFailure($"{LastFailure}, and this run has no lease to place it elsewhere. {ResumeSentence}");
            return;
        }
        _placing = true;
        placer.PlaceAsync(_unplaced.ToList(), [.. _lostNodes, .. _draining]).PipeTo(Self,
            success: placed => new RanksPlaced(placed),
            failure: e => new PlacementFailed(e.GetBaseException().Message));
    }

    private void OnPlaced(RanksPlaced placed)
    {
        _placing = false;
        foreach (var slot in placed.Slots)
        {
            NoticeRestartedHost(slot.Node);
            if (_lostNodes.Contains(slot.Node) || !_unplaced.Remove(slot.Rank)) continue; // that host was lost meanwhile: placed again below
            StartAt(slot);
        }
        Proceed();
    }

    private void OnPlacementFailed(PlacementFailed failed)
    {
        _placing = false;
        FailAtLastFailure($"{failed.Reason} {ResumeSentence}");
    }

    // Starts a new instance of slot.Rank on that slot (placed anew after a loss, or moved off a leaving host).
    private void StartAt(SlotAssignment slot)
    {
        _placement![slot.Rank] = slot;
        _ranks[slot.Rank] = Spawn(slot.Rank);
        Publish(new RankPlaced(Run, slot.Rank, slot.Host, slot.Slot));
    }

    // The rank on the nearest other live host after this one (in rank order) keeps a copy of its snapshots.
    private int BuddyOf(int rank)
    {
        if (_placement is null) return -1;
        for (int k = 1; k < _ranks.Length; k++)
        {
            int other = (rank + k) % _ranks.Length;
            if (_placement[other].Node != _placement[rank].Node && !_lostNodes.Contains(_placement[other].Node)) return other;
        }
        return -1;
    }

    // A snapshot just committed: rank r's host keeps it, and its buddy's host a copy.
    private void RecordCopies(int rank)
    {
        _copies[rank].Clear();
        if (_placement is null) return;
        _copies[rank].Add(_placement[rank].Node);
        if (_buddies[rank] >= 0) _copies[rank].Add(_placement[_buddies[rank]].Node);
    }

    // Where rank r restores from when the supervisor holds no state for it: its own host's vault, or another host's copy.
    private KeptSnapshot KeptFor(int rank)
    {
        var node = _placement?[rank].Node;
        if (node is null || _copies[rank].Count == 0 || _copies[rank].Contains(node)) return new KeptSnapshot(_snapshotStep);
        return new KeptSnapshot(_snapshotStep, _copies[rank].First(n => !IsLost(n)));
    }

    // Ranks to restore whose snapshot is held by no live host (a rank and its buddy lost together).
    private List<int> UnrestorableRanks() => Enumerable.Range(0, _ranks.Length)
        .Where(r => _restore[r] && _snapshot[r] is null && _snapshotStep >= 0 && _copies[r].Count > 0 && _copies[r].All(IsLost))
        .ToList();

    // When copies were lost with their hosts: every rank goes back to the last checkpoint on disk, and the steps since are
    // replayed; false (and the run stopped with a report) when there is none.
    private bool RestoreFromDisk(IReadOnlyList<int> unrestorable)
    {
        string? from = LastCheckpoint;
        string lost = $"rank{(unrestorable.Count == 1 ? "" : "s")} {string.Join(", ", unrestorable)} and {(unrestorable.Count == 1 ? "its copy" : "their copies")} " +
                      $"of step {_snapshotStep} were lost with {(_lostNodes.Count == 1 ? "host" : "hosts")} {string.Join(", ", _lostNodes.Select(n => NodeAddress.Of(n)))}";
        if (from is null)
        {
            FailAtLastFailure($"{lost}, and no checkpoint was written. {ResumeSentence}");
            return false;
        }
        using var checkpoint = Checkpoint.Load(from);
        long step = checkpoint.Metadata.Step;
        _log.Warning("{0}; resuming from the checkpoint {1} (step {2}).", lost, checkpoint.Directory, step);
        for (int r = 0; r < _ranks.Length; r++)
        {
            _snapshot[r]?.Dispose();
            _snapshot[r] = checkpoint.Cut(_ranks.Length, r);
            _copies[r].Clear();
        }
        _snapshotStep = _committedStep = step;
        Array.Fill(_restore, true);
        _afterJoin = NextAction;
        return true;
    }

    // How to go on from a run stopped on a cluster: the command that resumes it, when a checkpoint exists.
    private string ResumeSentence => LastCheckpoint is { } from
        ? $"Resume with: tpactors train --resume {from} --steps {_options.Steps} --cluster <a host> (and the run's other options)."
        : "No checkpoint was written; run it again (with --checkpoint-dir, a later loss resumes from disk).";

    private sealed record LossUnconfirmed
    {
        public static LossUnconfirmed Instance { get; } = new();
    }

    private sealed record RanksPlaced(IReadOnlyList<SlotAssignment> Slots);

    private sealed record PlacementFailed(string Reason);
}
