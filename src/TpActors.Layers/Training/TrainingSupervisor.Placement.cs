using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using TpActors.Runtime.Cluster;
using AkkaCluster = Akka.Cluster.Cluster;
using TpActors.Layers.Checkpoints;

namespace TpActors.Layers.Training;

// Ranks on a cluster's hosts: where each runs, which host keeps a copy of its snapshot (its buddy's), and what happens when
// a host is lost. Akka.Cluster marks it unreachable: its ranks are suspected and the group stops. The split-brain resolver's
// verdict decides: removed, its ranks are placed on free slots of the other hosts and restored from the copies (or, when a
// rank and its copy were both lost, from the last checkpoint on disk); reachable again first (a long pause, a stalled
// network), they start where they were, from their own snapshots.
public sealed partial class TrainingSupervisor
{
    private readonly HostPlacement? _hosts;              // where each rank runs, the hosts lost or leaving (null: all in this process)
    private bool _placing;                               // a slot request is out
    private const string ConfirmTimer = "confirm-loss";

    private void WatchHosts()
    {
        if (_hosts is null) return;
        AkkaCluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.ReachableMember), typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.MemberUp));
    }

    private void StopWatchingHosts()
    {
        if (_hosts is not null) AkkaCluster.Get(Context.System).Unsubscribe(Self);
    }

    // Akka.Cluster can no longer reach a host: every rank on it is suspected (the group stops) until the verdict, which a
    // timer bounds in case none comes. A host whose process closed a rank's connection first has died: lost at once.
    private void OnHostUnreachable(Member member)
    {
        if (_hosts?.HostUnreachable(member.UniqueAddress) is not { } suspicion) return;
        if (suspicion.ConnectionBroke)
        {
            OnHostLost(member, "unreachable after a connection from it broke");
            return;
        }
        string host = NodeAddress.Of(member.Address).ToString();
        Timers.StartSingleTimer(VerdictTimer(member.Address), new VerdictOverdue(member), VerdictWindow);
        if (suspicion.Ranks.Count > 0) Publish(new HostReachability(Run, host, Reachable: false, suspicion.Ranks));
        if (suspicion.Failed.Count > 0) Recover(suspicion.Failed.Select(r => new RankFailure(r, FailureKind.Unreachable, $"lost touch with its host {host} (unreachable)", StuckIn(r))).ToList(),
            counted: suspicion.SameIncident);
    }

    // The host came back before the split-brain resolver downed it: its suspects start where they were, restored from the
    // snapshots their own host kept.
    private void OnHostReachable(Member member)
    {
        if (_hosts?.HostReachable(member.UniqueAddress) is not { } back) return;
        Timers.Cancel(VerdictTimer(member.Address));
        if (back.Count == 0) return; // a host that held none of the run's ranks
        Publish(new HostReachability(Run, NodeAddress.Of(member.Address).ToString(), Reachable: true, back));
        foreach (int rank in back) _ranks[rank] = Spawn(rank);
        Proceed();
    }

    // No verdict within the window (no downing provider, or reachability that keeps changing): the host counts as lost.
    private void OnVerdictOverdue(Member member)
    {
        if (_hosts?.IsUnreachable(member.Address) != true) return;
        string how = $"unreachable for {VerdictWindow.TotalSeconds:0.#}s without a verdict";
        _log.Warning("Host {0} was {1} (akka.cluster.downing-provider-class names none, or reachability kept changing): it counts as lost, and its ranks are placed elsewhere.",
            NodeAddress.Of(member.Address), how);
        OnHostLost(member, how);
    }

    // Every rank of a host removed from the cluster is lost; its replacements go elsewhere. A suspect of that host (already
    // recovering) is placed elsewhere too.
    private void OnHostLost(Member member, string how)
    {
        // The removal of a process already lost (or replaced by a new one at its address) is old news.
        if (_hosts?.HostLost(member.UniqueAddress) is not { } loss) return;
        Timers.Cancel(VerdictTimer(member.Address));
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

    // A rank of a lost host waits for a slot elsewhere instead of being started again where it was. A rank that stopped
    // (DeathWatch), went silent or broke a connection is not started again at once either: a host that has just died shows
    // first as such, and Akka.Cluster's view decides (unreachable: it waits for the verdict as its host's other ranks do;
    // still reachable after the window: it is started where it was).
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

    // How long an unreachable host may wait for the split-brain resolver's verdict: its stable-after twice (reachability may
    // change once more meanwhile) and the confirm window for the removal to reach this member.
    private TimeSpan VerdictWindow => 2 * Context.System.Settings.Config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after", TimeSpan.FromSeconds(20)) + ConfirmWindow;

    private static (string, Address) VerdictTimer(Address host) => ("verdict", host);

    // The window passed and these suspects' hosts are still reachable members: they are started where they were.
    private void OnLossUnconfirmed()
    {
        foreach (int rank in _hosts?.ClearSuspectsOnReachableHosts() ?? []) _ranks[rank] = Spawn(rank);
        Proceed();
    }

    // After a recovery is planned: wait for suspects to be confirmed or cleared, place the ranks of lost hosts, or re-form
    // the group.
    private void Proceed()
    {
        if (_hosts?.AnySuspected == true)
        {
            Quiesce();
            if (_hosts.AnySuspectedOnReachableHost && !Timers.IsTimerActive(ConfirmTimer)) Timers.StartSingleTimer(ConfirmTimer, LossUnconfirmed.Instance, ConfirmWindow);
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

    private sealed record VerdictOverdue(Member Member);

    private sealed record RanksPlaced(IReadOnlyList<SlotAssignment> Slots);

    private sealed record PlacementFailed(string Reason);
}
