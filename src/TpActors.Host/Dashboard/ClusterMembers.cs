using Akka.Actor;
using Akka.Cluster;

namespace TpActors.Host.Dashboard;

/// <summary>Feeds a <see cref="RunFeed"/> the cluster's members as Akka.Cluster reports them: Up, Unreachable, Reachable again, Down, Removed.</summary>
public sealed class ClusterMembers : ReceiveActor
{
    private readonly RunFeed _feed;

    /// <summary>A watcher feeding <paramref name="feed"/> (create it with <see cref="Props"/>).</summary>
    public ClusterMembers(RunFeed feed)
    {
        _feed = feed;
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var member in state.Members) Report(member, member.Status.ToString());
            foreach (var member in state.Unreachable) Report(member, "Unreachable");
        });
        Receive<ClusterEvent.MemberUp>(e => Report(e.Member, "Up"));
        Receive<ClusterEvent.MemberJoined>(e => Report(e.Member, "Joining"));
        Receive<ClusterEvent.MemberLeft>(e => Report(e.Member, "Leaving"));
        Receive<ClusterEvent.MemberExited>(e => Report(e.Member, "Exiting"));
        Receive<ClusterEvent.MemberDowned>(e => Report(e.Member, "Down"));
        Receive<ClusterEvent.MemberRemoved>(e => Report(e.Member, "Removed"));
        Receive<ClusterEvent.UnreachableMember>(e => Report(e.Member, "Unreachable"));
        Receive<ClusterEvent.ReachableMember>(e => Report(e.Member, e.Member.Status.ToString()));
    }

    /// <summary>Props of a watcher that feeds <paramref name="feed"/>.</summary>
    public static Props Props(RunFeed feed) => Akka.Actor.Props.Create(() => new ClusterMembers(feed));

    /// <inheritdoc/>
    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    /// <inheritdoc/>
    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void Report(Member member, string status) => _feed.Member(member.Address.ToString(), status, 0, [.. member.Roles]);
}
