using Akka.Actor;
using TpActors.Layers.Collectives;
using TpActors.Runtime.Cluster;
using TpActors.Layers.Parallel;

namespace TpActors.Layers.Ranks;

/// <summary>
/// A handle on a tensor-parallel group of rank actors (a <see cref="TensorParallelGroupActor"/> and its children) in any actor
/// system, or under any actor: sends every rank a command and gathers the answers. A failure on any rank becomes one
/// <see cref="RankFailedException"/> naming every failed rank. Disposing it stops the group.
/// </summary>
public sealed class TensorParallelGroup : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly IReadOnlyList<CollectiveEndpoint> _endpoints;

    private TensorParallelGroup(ActorSystem system, IActorRef actor, string name, GroupRanks ranks, RankSettings settings)
    {
        _system = system;
        Actor = actor;
        Name = name;
        Ranks = ranks.Ranks;
        _endpoints = ranks.Endpoints;
        Settings = settings;
    }

    /// <summary>The group's actor, the parent of its ranks: watch it, or supervise it from the actor that created it.</summary>
    public IActorRef Actor { get; }

    /// <summary>The group's name (also the collective group's name).</summary>
    public string Name { get; }

    /// <summary>The rank actors, by rank.</summary>
    public IReadOnlyList<IActorRef> Ranks { get; }

    /// <summary>Ranks in the group.</summary>
    public int Size => Ranks.Count;

    /// <summary>The settings the ranks run with.</summary>
    public RankSettings Settings { get; }

    /// <summary>The ranks' backend in words, with its threads per rank, e.g. "openblas (SkylakeX), 1 BLAS thread per rank × 2 ranks".</summary>
    public string BackendDescription { get; private set; } = "";

    /// <summary>
    /// Starts a group of <paramref name="size"/> ranks as an actor named <paramref name="name"/> of <paramref name="parent"/>
    /// (an <see cref="ActorSystem"/>, or an actor's <c>Context</c>), in this process or on the cluster hosts' slots of
    /// <paramref name="placement"/>, and waits until every rank has joined.
    /// </summary>
    public static async Task<TensorParallelGroup> StartAsync(IActorRefFactory parent, int size, RankSettings settings, string name = "tp", IReadOnlyList<SlotAssignment>? placement = null)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), $"A tensor-parallel group needs at least 1 rank, not {size}.");
        var actor = parent.ActorOf(TensorParallelGroupActor.Props(size, settings, placement), name);
        using var joined = new CancellationTokenSource();
        var stopped = actor.WatchAsync(joined.Token);
        var asked = actor.Ask<GroupRanks>(GetGroupRanks.Instance, settings.CommandTimeout);
        if (await Task.WhenAny(asked, stopped).ConfigureAwait(false) == stopped)
        {
            // The group tells its askers why it could not form just before it stops; that answer may still be on its way.
            try
            {
                await asked.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new InvalidOperationException($"Group '{name}' stopped before all {size} of its ranks had joined.");
            }
        }
        var ready = await asked.ConfigureAwait(false);
        joined.Cancel();
        var system = parent switch
        {
            ActorSystem s => s,
            IActorContext context => context.System,
            _ => throw new ArgumentException($"A group starts under an actor system or an actor's context, not a {parent.GetType().Name}.", nameof(parent)),
        };
        var group = new TensorParallelGroup(system, actor, name, ready, settings);
        // Every rank runs the same settings, so rank 0's backend stands for all of them.
        string description = await ready.Ranks[0].Ask<string>(GetBackendDescription.Instance, settings.CommandTimeout).ConfigureAwait(false);
        group.BackendDescription = RankSettings.GroupDescription(description, size);
        return group;
    }

    /// <summary>Sends every rank its command and waits for all answers, by rank.</summary>
    /// <exception cref="RankFailedException">Some ranks failed or did not answer in time; each is named with its error.</exception>
    public async Task<T[]> AskAll<T>(Func<int, object> commandForRank)
    {
        var tasks = Ranks.Select((rank, r) => Ask<T>(rank, _endpoints[r].Lane, commandForRank(r))).ToArray();
        try
        {
            return await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            var failures = new SortedDictionary<int, Exception>();
            for (int r = 0; r < tasks.Length; r++)
                if (tasks[r].Exception is { } error) failures[r] = error.InnerExceptions.Count == 1 ? error.InnerException! : error;
                else if (tasks[r].IsCanceled) failures[r] = new TimeoutException($"no answer within {Settings.CommandTimeout.TotalSeconds:0.###}s (tpactors.ranks.command-timeout)");
            string list = string.Join("; ", failures.Select(f => $"rank {f.Key}: {f.Value.Message}"));
            throw new RankFailedException($"{failures.Count} of {Size} ranks of group '{Name}' failed: {list}", failures);
        }
    }

    // One rank's command and answer; tensors to and from a rank in another process travel on the bulk lane (see BulkLaneTicket).
    private async Task<T> Ask<T>(IActorRef rank, string? lane, object command)
    {
        var transport = CollectiveTransport.For(_system);
        command = BulkLaneTicket.SealAndRelease(command, lane, transport, _system); // a command's tensors belong to the rank
        var answer = await rank.Ask<object>(command, Settings.CommandTimeout).ConfigureAwait(false);
        if (answer is BulkLaneTicket reply) answer = await reply.OpenAsync(transport, _system).ConfigureAwait(false);
        return answer is T typed ? typed : throw new InvalidCastException($"The rank answered {answer.GetType().Name}, not {typeof(T).Name}.");
    }

    /// <summary>Runs <paramref name="work"/> on every rank's thread with its context; the answers, by rank.</summary>
    public Task<T[]> RunOnEachRank<T>(Func<Parallel.ParallelContext, T> work) => AskAll<T>(_ => new RunOnRank(Name, context => work(context)));

    /// <summary>Stops the group's actor and its ranks, and waits until they have stopped.</summary>
    public async ValueTask DisposeAsync() => await Actor.GracefulStop(Settings.CommandTimeout).ConfigureAwait(false);
}
