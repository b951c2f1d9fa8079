using Akka.TestKit.Xunit2;

namespace TpActors.Layers.Tests.UserActors;

/// <summary>A tensor-parallel group inside a user's actor system, under the user's actors: driven, watched, supervised.</summary>
public sealed class GroupInUserSystemTests : TestKit
{
    [Fact]
    public void AUsersActor_DrivesForwardAndBackward_ThroughItsGroup()
    {
        Sys.ActorOf(Props.Create(() => new MlpDriver(TestActor)), "driver");

        var replies = ReceiveN(4, TimeSpan.FromSeconds(30)).Cast<TensorReply>().ToList();
        var byRank = replies.GroupBy(r => r.Rank).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal([0, 1], byRank.Keys.Order());
        foreach (var (_, forwardThenBackward) in byRank)
            Assert.All(forwardThenBackward, r => Assert.Equal([4, 8], r.Tensor.Shape));
        // The forward output and the input gradient are replicated: both ranks hold the same bits.
        Assert.Equal(byRank[0][0].Tensor.ToArray(), byRank[1][0].Tensor.ToArray());
        Assert.Equal(byRank[0][1].Tensor.ToArray(), byRank[1][1].Tensor.ToArray());
        Assert.NotEqual(byRank[0][1].Tensor.ToArray(), new float[32]); // dX of a ones gradient is not zero
        foreach (var reply in replies) reply.Tensor.Dispose();
    }

    [Fact]
    public async Task TheGroupsRanks_AreChildrenOfItsActor_WhichTheUserCanWatchAndStop()
    {
        await using var group = await TensorParallelGroup.StartAsync(Sys, 2, RankGroups.Settings(), "watched");
        Assert.All(group.Ranks, rank => Assert.Equal(group.Actor.Path, rank.Path.Parent));
        var rankWatcher = CreateTestProbe();
        rankWatcher.Watch(group.Ranks[1]);
        Watch(group.Actor);

        Sys.Stop(group.Actor);

        ExpectTerminated(group.Actor);
        rankWatcher.ExpectTerminated(group.Ranks[1]); // stopping the group stops its ranks
    }

    [Fact]
    public void ARankThatCrashes_FailsItsGroup_ToTheUsersSupervisor()
    {
        var failures = CreateTestProbe();
        var parent = Sys.ActorOf(Props.Create(() => new StoppingParent(failures.Ref)), "parent");
        parent.Tell(GetGroupRanks.Instance, TestActor);
        var ranks = ExpectMsg<GroupRanks>(TimeSpan.FromSeconds(30));

        ranks.Ranks[1].Tell(Kill.Instance); // the rank's actor fails (Akka's ActorKilledException)

        var failure = failures.ExpectMsg<Exception>();
        Assert.IsType<ActorKilledException>(failure);
        Watch(ranks.Ranks[0]);
        ExpectTerminated(ranks.Ranks[0]); // the parent's Stop stopped the whole group, rank 0 with it
    }

    [Fact]
    public void ARankThatStops_FailsItsGroup_ToTheUsersSupervisor()
    {
        var failures = CreateTestProbe();
        var parent = Sys.ActorOf(Props.Create(() => new StoppingParent(failures.Ref)), "stopped-parent");
        parent.Tell(GetGroupRanks.Instance, TestActor);
        var ranks = ExpectMsg<GroupRanks>(TimeSpan.FromSeconds(30));

        Sys.Stop(ranks.Ranks[0]);

        var failure = Assert.IsType<DeathPactException>(failures.ExpectMsg<Exception>()); // Akka's death pact: the group watches its ranks
        Assert.Equal(ranks.Ranks[0], failure.DeadActor);
    }

    // A user's supervisor: reports its child's failure and stops it.
    private sealed class StoppingParent : ReceiveActor
    {
        private readonly IActorRef _failures;

        public StoppingParent(IActorRef failures)
        {
            _failures = failures;
            var group = Context.ActorOf(TensorParallelGroupActor.Props(2, RankGroups.Settings()), "tp");
            ReceiveAny(message => group.Forward(message));
        }

        protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(cause =>
        {
            _failures.Tell(cause);
            return Directive.Stop;
        });
    }
}
