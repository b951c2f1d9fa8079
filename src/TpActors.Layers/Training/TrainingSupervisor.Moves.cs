using Akka.Actor;
using Akka.Event;
using TpActors.Runtime.Cluster;

namespace TpActors.Layers.Training;

// A host that leaves on purpose (SIGTERM) drains: at the next step boundary whose snapshot its ranks kept, they are placed
// on other hosts' free slots and restored there from that snapshot (handed over from the leaving host's vault), the group
// re-forms, and training goes on with the next step: nothing is replayed. Then the job gives the host its slots back, and
// the host leaves.
public sealed partial class TrainingSupervisor
{
    private bool _moving;                               // a move's slot request is out

    private void OnHostDraining(Address node)
    {
        if (_hosts?.Drain(node) != true) return;
        _log.Info("Host {0} is leaving: its ranks move at the next step boundary.", NodeAddress.Of(node));
    }

    // At a step boundary: when a draining host still holds ranks and their snapshot of this step is kept, moves them and
    // returns true (the move continues the run); false when there is nothing to move now.
    private bool MoveDrainingRanks()
    {
        if (_hosts is not { AnyDraining: true } hosts || _moving || _options.Placer is not { } placer) return false;
        var ranks = hosts.RanksOnDrainingHosts();
        if (ranks.Count == 0)
        {
            foreach (var node in hosts.ClearDraining()) placer.Release(node);
            return false;
        }
        if (_snapshots.KeptStep != _committedStep) return false; // their state at this boundary is not kept: wait for a snapshot step
        _moving = true;
        Quiesce();
        placer.PlaceAsync(ranks, hosts.Excluded).PipeTo(Self,
            success: placed => new RanksMoved(placed),
            failure: e => new MoveFailed(e.GetBaseException().Message));
        return true;
    }

    private void OnMoved(RanksMoved moved)
    {
        _moving = false;
        _attempt++; // the group re-forms under a new name: nothing of the one before reaches it
        foreach (var slot in moved.Slots)
        {
            int rank = slot.Rank;
            _snapshots.MoveFrom(rank, _hosts!.Node(rank));
            Context.Unwatch(_ranks[rank]);
            Context.Stop(_ranks[rank]);
            StartAt(slot);
        }
        _afterJoin = NextAction;
        Connect();
    }

    // No slot elsewhere: the ranks stay; if the host leaves anyway, they are lost with it and recovered as such.
    private void OnMoveFailed(MoveFailed failed)
    {
        _moving = false;
        _log.Warning("The ranks of a leaving host could not move: {0} They stay until it leaves.", failed.Reason);
        _hosts!.ClearDraining();
        NextAction();
    }

    private sealed record RanksMoved(IReadOnlyList<SlotAssignment> Slots);

    private sealed record MoveFailed(string Reason);
}
