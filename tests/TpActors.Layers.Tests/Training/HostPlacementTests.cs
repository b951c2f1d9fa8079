using Akka.Cluster;
using TpActors.Runtime.Cluster;

namespace TpActors.Layers.Tests.Training;

// Where a cluster run's ranks are and what a host's loss, return or leaving does to them, as plain objects: no cluster.
public sealed class HostPlacementTests
{
    private static readonly Address HostA = new("akka.tcp", "tpactors", "127.0.0.1", 4001);
    private static readonly Address HostB = new("akka.tcp", "tpactors", "127.0.0.1", 4002);
    private static readonly Address HostC = new("akka.tcp", "tpactors", "127.0.0.1", 4003);

    // Ranks 0, 1 on A; 2, 3 on B.
    private static HostPlacement TwoHosts() => new([Slot(0, HostA, 0), Slot(1, HostA, 1), Slot(2, HostB, 0), Slot(3, HostB, 1)]);

    private static SlotAssignment Slot(int rank, Address node, int slot) => new(rank, node, slot, Cores: 2, RanksOnNode: 2);

    private static UniqueAddress Process(Address node, int uid = 1) => new(node, uid);

    [Fact]
    public void EachRanksBuddy_IsTheNextRankOnAnotherLiveHost_AndItsKeepersAreBothHosts()
    {
        var hosts = TwoHosts();
        hosts.NameBuddies();

        Assert.Equal([2, 2, 0, 0], Enumerable.Range(0, 4).Select(hosts.Buddy));
        Assert.Equal([HostB, HostA], hosts.Keepers(3));
    }

    [Fact]
    public void OnOneHost_NoRankHasABuddy_AndOnlyItsOwnHostKeepsItsSnapshot()
    {
        var hosts = new HostPlacement([Slot(0, HostA, 0), Slot(1, HostA, 1)]);
        hosts.NameBuddies();

        Assert.Equal([-1, -1], Enumerable.Range(0, 2).Select(hosts.Buddy));
        Assert.Equal([HostA], hosts.Keepers(1));
    }

    [Fact]
    public void ALostHost_LosesItsRanks_OnceOnly_AndIsAvoided()
    {
        var hosts = TwoHosts();

        var loss = hosts.HostLost(Process(HostB));

        Assert.Equal([2, 3], loss!.Lost);
        Assert.Empty(loss.Confirmed);
        Assert.Null(hosts.HostLost(Process(HostB))); // unreachable, then removed: one loss
        Assert.True(hosts.IsLost(HostB));
        Assert.Equal([HostB], hosts.Excluded);
        hosts.NameBuddies();
        Assert.Equal(-1, hosts.Buddy(0)); // no live host beside A
    }

    [Fact]
    public void ASuspectConfirmedByItsHostsLoss_WaitsForASlot_AndItsHostsOtherRanksAreLostWithIt()
    {
        var hosts = TwoHosts();
        Assert.True(hosts.Waits(3, FailureKind.Stopped));
        Assert.True(hosts.AnySuspected);
        Assert.True(hosts.Known(3));

        var loss = hosts.HostLost(Process(HostB))!;

        Assert.Equal([3], loss.Confirmed);
        Assert.Equal([2], loss.Lost);
        Assert.False(hosts.AnySuspected);
        Assert.Equal([3], hosts.Unplaced);
        Assert.True(hosts.Waits(2, FailureKind.Lost));
        Assert.Equal([2, 3], hosts.Unplaced);
    }

    [Fact]
    public void ARankThatThrew_IsStartedAgainWhereItWas_AndSuspectsClearedByTheWindow_AreToo()
    {
        var hosts = TwoHosts();
        Assert.False(hosts.Waits(1, FailureKind.Threw));
        Assert.True(hosts.Waits(1, FailureKind.Hung));
        Assert.True(hosts.Waits(0, FailureKind.Disconnected));

        Assert.True(hosts.AnySuspectedOnReachableHost);
        Assert.Equal([1, 0], hosts.ClearSuspectsOnReachableHosts());
        Assert.False(hosts.AnySuspected);
        Assert.False(hosts.Known(1));
    }

    [Fact]
    public void AnUnreachableHost_SuspectsItsRanks_AndIsAvoided_UntilItIsReachableAgain_ThenTheyStartWhereTheyWere()
    {
        var hosts = TwoHosts();

        var suspicion = hosts.HostUnreachable(Process(HostB))!;
        Assert.Equal([2, 3], suspicion.Ranks);
        Assert.Equal([2, 3], suspicion.Failed);
        Assert.False(suspicion.SameIncident);
        Assert.False(suspicion.ConnectionBroke);
        Assert.True(hosts.Waits(2, FailureKind.Unreachable));
        Assert.True(hosts.Waits(3, FailureKind.Unreachable));
        Assert.Null(hosts.HostUnreachable(Process(HostB))); // already unreachable
        Assert.True(hosts.Known(2));
        Assert.Equal([HostB], hosts.Excluded);
        Assert.False(hosts.AnySuspectedOnReachableHost);
        Assert.Empty(hosts.ClearSuspectsOnReachableHosts()); // the confirm window passing does not decide for an unreachable host

        Assert.Equal([2, 3], hosts.HostReachable(Process(HostB)));
        Assert.False(hosts.AnySuspected);
        Assert.False(hosts.IsUnreachable(HostB));
        Assert.False(hosts.IsLost(HostB));
        Assert.Empty(hosts.Excluded);
        Assert.Empty(hosts.Unplaced);
        Assert.Null(hosts.HostReachable(Process(HostB))); // reachable already
    }

    [Fact]
    public void AnUnreachableHostRemoved_ConfirmsAllItsRanks_WithNoneLostAnew()
    {
        var hosts = TwoHosts();
        hosts.Waits(3, FailureKind.Hung); // the first sign: silence in a collective
        var suspicion = hosts.HostUnreachable(Process(HostB))!;
        Assert.Equal([2, 3], suspicion.Ranks);
        Assert.Equal([2], suspicion.Failed);
        Assert.True(suspicion.SameIncident);
        Assert.False(suspicion.ConnectionBroke);
        hosts.Waits(2, FailureKind.Unreachable);

        var loss = hosts.HostLost(Process(HostB))!;

        Assert.Equal([2, 3], loss.Confirmed.Order());
        Assert.Empty(loss.Lost);
        Assert.Equal([2, 3], hosts.Unplaced);
        Assert.False(hosts.IsUnreachable(HostB));
        Assert.Null(hosts.HostReachable(Process(HostB))); // a removed process never comes back
        Assert.Null(hosts.HostUnreachable(Process(HostB)));
    }

    [Fact]
    public void AHostUnreachableAfterAConnectionFromItBroke_HasDied()
    {
        var hosts = TwoHosts();
        hosts.Waits(3, FailureKind.Disconnected);

        var suspicion = hosts.HostUnreachable(Process(HostB))!;

        Assert.True(suspicion.ConnectionBroke);
        Assert.True(suspicion.SameIncident);
        var loss = hosts.HostLost(Process(HostB))!; // what the supervisor does with it
        Assert.Equal([3], loss.Confirmed);
        Assert.Equal([2], loss.Lost);
        Assert.False(hosts.IsUnreachable(HostB));
    }

    [Fact]
    public void ASuspectOnAReachableHost_IsClearedByTheWindow_WhileOneOnAnUnreachableHostWaits()
    {
        var hosts = TwoHosts();
        hosts.Waits(0, FailureKind.Hung);
        hosts.HostUnreachable(Process(HostB));
        hosts.Waits(2, FailureKind.Unreachable);
        hosts.Waits(3, FailureKind.Unreachable);

        Assert.Equal([0], hosts.ClearSuspectsOnReachableHosts());
        Assert.True(hosts.AnySuspected);
        Assert.False(hosts.AnySuspectedOnReachableHost);
    }

    [Fact]
    public void ASlotOnAnUnreachableHost_DoesNotPlaceTheRank()
    {
        var hosts = new HostPlacement([Slot(0, HostA, 0), Slot(1, HostB, 0)]);
        hosts.HostLost(Process(HostA));
        hosts.Waits(0, FailureKind.Lost);
        hosts.HostUnreachable(Process(HostC));

        Assert.Equal([HostA, HostC], hosts.Excluded);
        Assert.False(hosts.Placed(Slot(0, HostC, 0)));
        Assert.Equal([0], hosts.Unplaced);
    }

    [Fact]
    public void ASlotOnAHostLostMeanwhile_DoesNotPlaceTheRank()
    {
        var hosts = TwoHosts();
        hosts.HostLost(Process(HostB));
        hosts.Waits(2, FailureKind.Lost);
        hosts.Waits(3, FailureKind.Lost);

        Assert.False(hosts.Placed(Slot(2, HostB, 0)));
        Assert.True(hosts.Placed(Slot(3, HostC, 0)));
        hosts.MoveTo(Slot(3, HostC, 0));

        Assert.Equal([2], hosts.Unplaced);
        Assert.Equal(HostC, hosts.Node(3));
        Assert.False(hosts.Placed(Slot(3, HostC, 1))); // placed already
    }

    [Fact]
    public void ANewProcessAtALostHostsAddress_MakesItLiveAgain_ButTheLostProcessStaysLost()
    {
        var hosts = TwoHosts();
        hosts.HostLost(Process(HostB, uid: 1));

        Assert.False(hosts.HostBack(Process(HostB, uid: 1))); // the lost process itself, seen Up late
        Assert.True(hosts.HostBack(Process(HostB, uid: 2)));
        Assert.False(hosts.IsLost(HostB));
        Assert.Empty(hosts.LostHosts);
        Assert.Null(hosts.HostLost(Process(HostB, uid: 1))); // its removal is old news
        Assert.NotNull(hosts.HostLost(Process(HostB, uid: 2))); // the new process can be lost in its turn
    }

    [Fact]
    public void ALeavingHost_IsAvoided_ItsRanksListed_UntilItIsForgotten()
    {
        var hosts = TwoHosts();

        Assert.True(hosts.Drain(HostA));
        Assert.False(hosts.Drain(HostA));
        Assert.True(hosts.AnyDraining);
        Assert.Equal([0, 1], hosts.RanksOnDrainingHosts());
        Assert.Equal([HostA], hosts.Excluded);

        Assert.Equal([HostA], hosts.ClearDraining());
        Assert.False(hosts.AnyDraining);
        hosts.HostLost(Process(HostB));
        Assert.False(hosts.Drain(HostB)); // a lost host does not leave
    }
}
