using Akka.Actor;
using TpActors.Layers.Collectives;

namespace TpActors.Layers.Execution;

/// <summary>
/// The parent of a tensor-parallel group's rank actors: it starts them (children named <c>rank-r</c>, on the pinned
/// <see cref="RankDispatcher"/>), gathers their collective endpoints and joins them into one collective group named after
/// itself, then answers <see cref="GetGroupRanks"/>. Put it under any actor: a rank that crashes or stops (not a failed
/// command, which the rank answers with <see cref="Status.Failure"/>) fails the group, for its parent's supervisor to decide;
/// stopping the group stops its ranks. A group that has not joined within the command timeout fails, naming the silent ranks.
/// </summary>
public sealed class TensorParallelGroupActor : ReceiveActor, IWithStash, IWithTimers
{
    private readonly RankSettings _settings;
    private readonly IActorRef[] _ranks;
    private readonly CollectiveEndpoint?[] _endpoints;
    private readonly bool[] _joined;

    /// <summary>A group of <paramref name="size"/> ranks running with <paramref name="settings"/>.</summary>
    public TensorParallelGroupActor(int size, RankSettings settings)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), $"A tensor-parallel group needs at least 1 rank, not {size}.");
        _settings = settings;
        _ranks = new IActorRef[size];
        _endpoints = new CollectiveEndpoint?[size];
        _joined = new bool[size];
        Joining();
    }

    /// <inheritdoc/>
    public IStash Stash { get; set; } = null!;

    /// <inheritdoc/>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for a group of <paramref name="size"/> ranks; the actor's name is the collective group's name.</summary>
    public static Props Props(int size, RankSettings settings) => Akka.Actor.Props.Create(() => new TensorParallelGroupActor(size, settings));

    private string Group => Self.Path.Name;

    /// <inheritdoc/>
    protected override void PreStart()
    {
        RankDispatcher.EnsureConfigured(Context.System);
        int threads = _settings.ThreadsPerRank(_ranks.Length);
        for (int r = 0; r < _ranks.Length; r++)
        {
            _ranks[r] = Context.ActorOf(RankActor.Props(r, threads, _settings), $"rank-{r}");
            Context.Watch(_ranks[r]);
            _ranks[r].Tell(GetCollectiveEndpoint.Instance);
        }
        Timers.StartSingleTimer("join", JoinTimedOut.Instance, _settings.CommandTimeout);
    }

    /// <summary>A rank that crashes fails the group: its peers' rounds cannot go on without it.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Escalate);

    private void Joining()
    {
        Receive<CollectiveEndpoint>(endpoint =>
        {
            _endpoints[RankOf(Sender)] = endpoint;
            if (_endpoints.All(e => e is not null))
            {
                var members = _endpoints.Select(e => e!).ToList();
                foreach (var rank in _ranks) rank.Tell(new JoinGroup(Group, members));
            }
        });
        Receive<RankDone>(done =>
        {
            _joined[RankOf(Sender)] = true;
            if (!_joined.All(j => j)) return;
            Timers.Cancel("join");
            Become(Ready);
            Stash.UnstashAll();
        });
        Receive<Status.Failure>(failure => throw new InvalidOperationException($"Rank {RankOf(Sender)} of group '{Group}' could not join it: {failure.Cause.Message}", failure.Cause));
        Receive<JoinTimedOut>(_ =>
        {
            var silent = Enumerable.Range(0, _ranks.Length).Where(r => !_joined[r]).ToList();
            throw new TimeoutException($"Group '{Group}' did not form within {_settings.CommandTimeout.TotalSeconds:0.###}s: rank{(silent.Count == 1 ? "" : "s")} {string.Join(", ", silent)} did not join.");
        });
        Receive<Terminated>(RankStopped);
        ReceiveAny(_ => Stash.Stash());
    }

    private void Ready()
    {
        var ready = new GroupRanks(Group, [.. _ranks]);
        Receive<GetGroupRanks>(_ => Sender.Tell(ready));
        Receive<Terminated>(RankStopped);
    }

    // The group's collectives cannot go on without every rank: its parent decides what happens to the group.
    private void RankStopped(Terminated terminated) =>
        throw new InvalidOperationException($"Rank {RankOf(terminated.ActorRef)} of group '{Group}' stopped; the group cannot go on without it.");

    private int RankOf(IActorRef sender) => Array.IndexOf(_ranks, sender);

    private sealed record JoinTimedOut
    {
        public static JoinTimedOut Instance { get; } = new();
    }
}
