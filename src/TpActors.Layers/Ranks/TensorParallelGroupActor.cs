using Akka.Actor;
using TpActors.Layers.Collectives;
using TpActors.Runtime.Cluster;

namespace TpActors.Layers.Ranks;

/// <summary>
/// The parent of a tensor-parallel group's rank actors: it starts them (children named <c>rank-r</c>, on the pinned
/// <see cref="RankDispatcher"/>), gathers their collective endpoints and joins them into one collective group named after
/// itself, then answers <see cref="GetGroupRanks"/>.
/// <para>Put it under any actor. While the group forms, a rank that cannot start (its backend does not load) or a group that
/// does not join within the command timeout is the answer to <see cref="GetGroupRanks"/> (a <see cref="Status.Failure"/>
/// naming the cause), and the group stops itself. Once formed, a rank that crashes (not a failed command, which the rank
/// answers with <see cref="Status.Failure"/>) fails the group with the rank's exception, and a rank that stops fails it with
/// Akka's <see cref="DeathPactException"/>: the group's parent decides, by its own supervisor strategy. Stopping the group
/// stops its ranks.</para>
/// </summary>
public sealed class TensorParallelGroupActor : ReceiveActor, IWithStash, IWithTimers
{
    private readonly RankSettings _settings;
    private readonly IReadOnlyList<SlotAssignment>? _placement;
    private readonly IActorRef[] _ranks;
    private readonly CollectiveEndpoint?[] _endpoints;
    private readonly bool[] _joined;
    private readonly List<IActorRef> _askers = []; // asked for the ranks before they had all joined
    private Exception? _formationFailure;          // why the group could not form, once it is known
    private bool _formed;

    /// <summary>A group of <paramref name="size"/> ranks running with <paramref name="settings"/>, in this process or on the hosts of <paramref name="placement"/>.</summary>
    public TensorParallelGroupActor(int size, RankSettings settings, IReadOnlyList<SlotAssignment>? placement = null)
    {
        if (placement is not null && placement.Count != size) throw new ArgumentException($"The placement has {placement.Count} ranks; the group has {size}.", nameof(placement));
        _placement = placement;
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), $"A tensor-parallel group needs at least 1 rank, not {size}.");
        _settings = settings;
        _ranks = new IActorRef[size];
        _endpoints = new CollectiveEndpoint?[size];
        _joined = new bool[size];
        Forming();
    }

    /// <inheritdoc/>
    public IStash Stash { get; set; } = null!;

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for a group of <paramref name="size"/> ranks (on the hosts of <paramref name="placement"/> when given); the actor's name is the collective group's name.</summary>
    public static Props Props(int size, RankSettings settings, IReadOnlyList<SlotAssignment>? placement = null) =>
        Akka.Actor.Props.Create(() => new TensorParallelGroupActor(size, settings, placement));

    private string Group => Self.Path.Name;

    /// <inheritdoc/>
    protected override void PreStart()
    {
        RankDispatcher.EnsureConfigured(Context.System);
        for (int r = 0; r < _ranks.Length; r++)
        {
            _ranks[r] = Context.ActorOf(RankDeployment.Props(r, _ranks.Length, _settings, _placement), $"rank-{r}");
            Context.Watch(_ranks[r]);
            _ranks[r].Tell(GetCollectiveEndpoint.Instance);
        }
        Timers.StartSingleTimer("form", FormingTimedOut.Instance, _settings.CommandTimeout);
    }

    /// <summary>
    /// Before the group has formed, a rank that fails (it could not start) is stopped and becomes the group's answer; after,
    /// it fails the group, for the group's parent to decide. The failure is reported, so Akka's own failure log is off.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(cause =>
    {
        if (_formed) return Directive.Escalate;
        _formationFailure ??= cause is ActorInitializationException { InnerException: { } inner } ? inner : cause;
        return Directive.Stop;
    }, loggingEnabled: false);

    private void Forming()
    {
        Receive<CollectiveEndpoint>(endpoint =>
        {
            _endpoints[RankOf(Sender)] = endpoint;
            if (_endpoints.All(e => e is not null))
            {
                var members = _endpoints.Select(e => e!).ToList();
                string? lane = CollectiveTransport.For(Context.System).Lane?.Address;
                foreach (var rank in _ranks) rank.Tell(new JoinGroup(Group, members, lane));
            }
        });
        Receive<RankDone>(_ =>
        {
            _joined[RankOf(Sender)] = true;
            if (!_joined.All(j => j)) return;
            Timers.Cancel("form");
            _formed = true;
            Become(Formed);
            foreach (var asker in _askers) asker.Tell(Ready);
            _askers.Clear();
            Stash.UnstashAll();
        });
        Receive<Status.Failure>(failure => FailForming(new InvalidOperationException($"rank {RankOf(Sender)} could not join: {failure.Cause.Message}", failure.Cause)));
        Receive<FormingTimedOut>(_ =>
        {
            var silent = Enumerable.Range(0, _ranks.Length).Where(r => !_joined[r]).ToList();
            FailForming(new TimeoutException($"it did not form within {_settings.CommandTimeout.TotalSeconds:0.###}s: rank{(silent.Count == 1 ? "" : "s")} {string.Join(", ", silent)} did not join"));
        });
        // A rank stopped while forming: by its failure (the reason is known), or by someone else.
        Receive<Terminated>(terminated => FailForming(_formationFailure ?? new InvalidOperationException($"rank {RankOf(terminated.ActorRef)} stopped")));
        Receive<GetGroupRanks>(_ => _askers.Add(Sender));
        ReceiveAny(_ => Stash.Stash());
    }

    private void Formed()
    {
        var ready = Ready;
        Receive<GetGroupRanks>(_ => Sender.Tell(ready));
        // A rank that stops is not handled here: Akka's death pact fails the group, for its parent to decide.
    }

    // Answers everyone waiting for the ranks, and everyone asking from now on, then stops the group (its ranks with it).
    private void FailForming(Exception cause)
    {
        var failure = new Status.Failure(new InvalidOperationException($"Group '{Group}' could not form: {cause.Message}", cause));
        foreach (var asker in _askers) asker.Tell(failure);
        _askers.Clear();
        Become(() => ReceiveAny(_ => Sender.Tell(failure)));
        Self.Tell(PoisonPill.Instance); // after the questions already in the mailbox have had their answer
    }

    private int RankOf(IActorRef sender) => Array.IndexOf(_ranks, sender);

    private GroupRanks Ready => new(Group, [.. _ranks], [.. _endpoints.Select(e => e!)]);

    private sealed record FormingTimedOut
    {
        public static FormingTimedOut Instance { get; } = new();
    }
}
