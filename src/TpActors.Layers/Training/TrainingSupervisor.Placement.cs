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
    private readonly HostPlacement? _hosts;              // where each rank runs, the hosts lost or leaving (null: all in this process)
    private bool _placing;                               // a slot request is out
    private const string ConfirmTimer = "confirm-loss";

    private void WatchHosts()
    {
        if (_hosts is null) return;
        AkkaCluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.MemberUp));
    }

    private void StopWatchingHosts()
    {
        if (_hosts is not null) AkkaCluster.Get(Context.System).Unsubscribe(Self);
    }

    // Every rank of a host that Akka.Cluster can no longer reach is lost; its replacements go elsewhere. A suspect of that
    // host (already recovering) is placed elsewhere too.
    private void OnHostLost(Member member, string how)
    {
        // The removal of a process already lost (or replaced by a new one at its address) is old news.
        if (_hosts?.HostLost(member.UniqueAddress) is not { } loss) return;
        string host = NodeAddress.Of(member.Address).ToString();
        if (loss.Lost.Count > 0) Recover(loss.Lost.Select(r => new RankFailure(r, FailureKind.Lost, $"lost its host {host} ({how})", StuckIn(r))).ToList(),
            counted: loss.Confirmed.Count > 0); // a suspect confirmed: its host's other ranks belong to the same incident
        else if (_hosts.Unplaced.Count > 0) Proceed();
    }

    // A new host process at the address of a lost one (restarted there) is a host like any other: ranks may be placed on
    // it. The copies the lost process kept are gone with it (SnapshotBook.GoneCopy stands for each, so a rank that had no
    // other copy is still known to need the disk).
    private void OnHostUp(Member member)
    {
        if (_hosts?.HostBack(member.UniqueAddress) != true) return;
        _snapshots.HostReplaced(member.Address);
        _log.Info("Host {0} is back: a new process at the address of the lost one; its slots can be leased again.", NodeAddress.Of(member.Address));
    }

    // A new process at a lost host's address that the lease found Up before this actor heard of it.
    private void NoticeRestartedHost(Address node)
    {
        if (_hosts?.IsLost(node) != true) return;
        foreach (var member in AkkaCluster.Get(Context.System).State.Members.Where(m => m.Address == node && m.Status == MemberStatus.Up).ToList()) OnHostUp(member);
    }

    // A bulk connection from a rank on another host broke: the host has most likely died (its kernel closed the rank's
    // sockets). The group stops at once and the rank is suspected; Akka.Cluster's view decides, as for a rank that stopped.
    private void OnPeerConnectionLost(PeerConnectionLost lost)
    {
        if (_hosts is null || _finished || lost.Group != Group || (uint)lost.Peer >= (uint)_ranks.Length) return; // an old attempt's connection
        int peer = lost.Peer;
        if (_hosts.Known(peer)) return; // already known
        string host = NodeAddress.Of(_hosts.Node(peer)).ToString();
        _log.Info("Rank {0}'s bulk connection from rank {1} broke: suspecting host {2}, until Akka.Cluster confirms it.", lost.Rank, peer, host);
        Recover([new RankFailure(peer, FailureKind.Disconnected, $"broke its bulk connection to rank {lost.Rank} (host {host} suspected)", StuckIn(peer))]);
    }

    // A rank of a lost host waits for a slot elsewhere instead of being started again where it was. A rank on a host that
    // stopped (DeathWatch), went silent or broke a connection is not started again at once either: a host that has just died
    // shows first as such, and Akka.Cluster's view decides (Unreachable: it is placed elsewhere; still reachable after the
    // window: it is started where it was).
    private bool AwaitsHost(int rank, FailureKind kind) => _hosts?.Waits(rank, kind) == true;

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
        foreach (int rank in _hosts?.ClearSuspects() ?? []) _ranks[rank] = Spawn(rank);
        Proceed();
    }

    // After a recovery is planned: wait for suspects to be confirmed, place the ranks of lost hosts, or re-form the group.
    private void Proceed()
    {
        if (_hosts?.AnySuspected == true)
        {
            Quiesce();
            if (!Timers.IsTimerActive(ConfirmTimer)) Timers.StartSingleTimer(ConfirmTimer, LossUnconfirmed.Instance, ConfirmWindow);
            return;
        }
        Timers.Cancel(ConfirmTimer);
        if (UnrestorableRanks() is { Count: > 0 } unrestorable && !RestoreFromDisk(unrestorable)) return;
        if (_hosts?.Unplaced.Count > 0) PlaceLost();
        else Connect();
    }

    // No phase is out: anything a rank still sends belongs to an aborted round.
    private void Quiesce()
    {
        _rounds.Quiesce(new PhaseRound(_attempt, _committedStep, TrainingPhase.Connect));
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
        placer.PlaceAsync(_hosts!.Unplaced.ToList(), _hosts.Excluded).PipeTo(Self,
            success: placed => new RanksPlaced(placed),
            failure: e => new PlacementFailed(e.GetBaseException().Message));
    }

    private void OnPlaced(RanksPlaced placed)
    {
        _placing = false;
        foreach (var slot in placed.Slots)
        {
            NoticeRestartedHost(slot.Node);
            if (!_hosts!.Placed(slot)) continue; // that host was lost meanwhile: placed again below
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
        _hosts!.MoveTo(slot);
        _ranks[slot.Rank] = Spawn(slot.Rank);
        Publish(new RankPlaced(Run, slot.Rank, slot.Host, slot.Slot));
    }

    // The hosts that keep rank r's snapshot: its own and its buddy's (none in one process).
    private IEnumerable<Address> Keepers(int rank) => _hosts?.Keepers(rank) ?? [];

    // Ranks to restore whose snapshot is held by no live host (a rank and its buddy lost together).
    private List<int> UnrestorableRanks() => _snapshots.Unrestorable(IsLostHost);

    // When copies were lost with their hosts: every rank goes back to the last checkpoint on disk, and the steps since are
    // replayed; false (and the run stopped with a report) when there is none.
    private bool RestoreFromDisk(IReadOnlyList<int> unrestorable)
    {
        string? from = LastCheckpoint;
        string lost = $"rank{(unrestorable.Count == 1 ? "" : "s")} {string.Join(", ", unrestorable)} and {(unrestorable.Count == 1 ? "its copy" : "their copies")} " +
                      $"of step {_snapshots.Step} were lost with {(_hosts!.LostHosts.Count == 1 ? "host" : "hosts")} {string.Join(", ", _hosts.LostHosts.Select(n => NodeAddress.Of(n)))}";
        if (from is null)
        {
            FailAtLastFailure($"{lost}, and no checkpoint was written. {ResumeSentence}");
            return false;
        }
        using var checkpoint = Checkpoint.Load(from);
        long step = checkpoint.Metadata.Step;
        _log.Warning("{0}; resuming from the checkpoint {1} (step {2}).", lost, checkpoint.Directory, step);
        _snapshots.Load(step, r => checkpoint.Cut(_ranks.Length, r));
        _committedStep = step;
        _afterJoin = NextAction;
        return true;
    }

    // Whether a host was lost (never, in one process).
    private bool IsLostHost(Address node) => _hosts?.IsLost(node) == true;

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
