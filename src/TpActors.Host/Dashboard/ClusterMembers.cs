using Akka.Actor;
using Akka.Cluster;
using TpActors.Runtime.Cluster;

namespace TpActors.Host.Dashboard;

/// <summary>
/// Feeds a <see cref="RunFeed"/> the cluster's members as Akka.Cluster reports them: Up, Unreachable, Reachable again, Down,
/// Removed; a host that comes Up is asked for its slot offer (proved with the cluster's secret), so its slots show too.
/// </summary>
public sealed class ClusterMembers : ReceiveActor, IWithTimers
{
    private readonly RunFeed _feed;
    private readonly Dictionary<Address, int> _slots = []; // what each host offered, once it answered
    private readonly Dictionary<Address, string> _status = []; // what was last reported of each member
    private readonly string _secret = Context.System.Settings.Config.GetString("tpactors.cluster.secret", ""); // what a host's offer must prove

    // A host's answer to the slot question (0: none yet), piped back to this actor; the question's attempt, from 1.
    private sealed record SlotsOf(Member Member, int Slots, int Attempt);

    private sealed record AskAgain(Member Member, int Attempt);

    // A host just Up may not have started its slots yet: it is asked again, a second apart, this many times in all.
    private const int SlotAttempts = 10;

    /// <summary>A watcher feeding <paramref name="feed"/> (create it with <see cref="Props"/>).</summary>
    public ClusterMembers(RunFeed feed)
    {
        _feed = feed;
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var member in state.Members)
            {
                Report(member, member.Status.ToString());
                if (member.Status == MemberStatus.Up) AskSlots(member);
            }
            foreach (var member in state.Unreachable) Report(member, "Unreachable");
        });
        Receive<ClusterEvent.MemberUp>(e =>
        {
            Report(e.Member, "Up");
            AskSlots(e.Member);
        });
        Receive<AskAgain>(again => AskSlots(again.Member, again.Attempt));
        Receive<SlotsOf>(answer =>
        {
            if (answer.Slots == 0)
            {
                if (answer.Attempt < SlotAttempts && _status.GetValueOrDefault(answer.Member.Address) == "Up")
                    Timers.StartSingleTimer(answer.Member.Address, new AskAgain(answer.Member, answer.Attempt + 1), TimeSpan.FromSeconds(1));
                return;
            }
            _slots[answer.Member.Address] = answer.Slots;
            if (_status.TryGetValue(answer.Member.Address, out var status)) Report(answer.Member, status);
        });
        Receive<ClusterEvent.MemberJoined>(e => Report(e.Member, "Joining"));
        Receive<ClusterEvent.MemberLeft>(e => Report(e.Member, "Leaving"));
        Receive<ClusterEvent.MemberExited>(e => Report(e.Member, "Exiting"));
        Receive<ClusterEvent.MemberDowned>(e => Report(e.Member, "Down"));
        Receive<ClusterEvent.MemberRemoved>(e => Report(e.Member, "Removed"));
        Receive<ClusterEvent.UnreachableMember>(e => Report(e.Member, "Unreachable"));
        Receive<ClusterEvent.ReachableMember>(e => Report(e.Member, e.Member.Status.ToString()));
    }

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props of a watcher that feeds <paramref name="feed"/>.</summary>
    public static Props Props(RunFeed feed) => Akka.Actor.Props.Create(() => new ClusterMembers(feed));

    /// <inheritdoc/>
    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));

    /// <inheritdoc/>
    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void Report(Member member, string status)
    {
        _status[member.Address] = status;
        _feed.Member(member.Address.ToString(), status, _slots.GetValueOrDefault(member.Address), [.. member.Roles]);
    }

    // Only hosts offer slots; one that does not answer, or cannot prove the secret, shows none.
    private void AskSlots(Member member, int attempt = 1)
    {
        if (!member.HasRole(ClusterBootstrap.HostRole)) return;
        SlotLease.OfferOf(Context.System, member.Address, _secret).PipeTo(Self,
            success: answer => answer is { Offer: { } offer, Proven: true } ? new SlotsOf(member, offer.Slots, attempt) : new SlotsOf(member, 0, attempt),
            failure: _ => new SlotsOf(member, 0, attempt));
    }
}
