using Akka.Actor;
using Akka.Cluster;
using AkkaCluster = Akka.Cluster.Cluster;

namespace TpActors.Runtime.Cluster;

/// <summary>Reports every membership change of the cluster this node is in, one line each: joined, up, unreachable, leaving, removed.</summary>
public sealed class MembershipLog : ReceiveActor
{
    private readonly Action<string> _report;

    /// <summary>A log that hands each line to <paramref name="report"/>.</summary>
    public MembershipLog(Action<string> report)
    {
        _report = report;
        Receive<ClusterEvent.MemberUp>(e => Report(e.Member, "is up"));
        Receive<ClusterEvent.MemberJoined>(e => Report(e.Member, "joined"));
        Receive<ClusterEvent.MemberLeft>(e => Report(e.Member, "is leaving"));
        Receive<ClusterEvent.MemberExited>(e => Report(e.Member, "exited"));
        Receive<ClusterEvent.MemberRemoved>(e => Report(e.Member, $"{Removed}{e.PreviousStatus})"));
        Receive<ClusterEvent.UnreachableMember>(e => Report(e.Member, "is unreachable"));
        Receive<ClusterEvent.ReachableMember>(e => Report(e.Member, "is reachable again"));
        Receive<ClusterEvent.MemberDowned>(e => Report(e.Member, "was downed"));
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
    }

    // How a removal's line goes on after the member's address and roles.
    private const string Removed = "was removed (was ";

    /// <summary>Whether <paramref name="line"/> (or a line that ends with one) is this log's report that the member at <paramref name="address"/> (host:port) was removed.</summary>
    public static bool ReportsRemoval(string line, string address) =>
        line.Contains($"member {address} (", StringComparison.Ordinal) && line.Contains($") {Removed}", StringComparison.Ordinal);

    /// <summary>Props for a log reporting to <paramref name="report"/>.</summary>
    public static Props Props(Action<string> report) => Akka.Actor.Props.Create(() => new MembershipLog(report));

    /// <inheritdoc/>
    protected override void PreStart() => AkkaCluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
        typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    /// <inheritdoc/>
    protected override void PostStop() => AkkaCluster.Get(Context.System).Unsubscribe(Self);

    private void Report(Member member, string what)
    {
        string roles = string.Join(",", member.Roles.Where(r => !r.StartsWith("dc-", StringComparison.Ordinal)));
        _report($"member {NodeAddress.Of(member.Address)} ({roles}) {what}");
    }
}
