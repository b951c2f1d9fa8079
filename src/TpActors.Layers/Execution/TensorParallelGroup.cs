using TpActors.Layers.Tensors;
using TpActors.Runtime.Actors;

namespace TpActors.Layers.Execution;

/// <summary>
/// A tensor-parallel group of rank actors in one process: starts them, joins them into the group, sends every rank a command
/// and gathers the answers. A failure on any rank becomes one <see cref="RankFailedException"/> naming every failed rank.
/// </summary>
public sealed class TensorParallelGroup : IAsyncDisposable
{
    private readonly ActorSystem _system;

    private TensorParallelGroup(ActorSystem system, string name, IReadOnlyList<IActorRef> ranks, RankSettings settings)
    {
        _system = system;
        Name = name;
        Ranks = ranks;
        Settings = settings;
    }

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

    /// <summary>Starts <paramref name="size"/> rank actors named "<paramref name="name"/>-rank-r" and joins them into group <paramref name="name"/>.</summary>
    public static async Task<TensorParallelGroup> StartAsync(ActorSystem system, int size, RankSettings settings, string name = "tp")
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), $"A tensor-parallel group needs at least 1 rank, not {size}.");
        int threads = settings.ThreadsPerRank(size);
        var ranks = Enumerable.Range(0, size).Select(r => system.ActorOf(RankActor.Props(r, threads, settings), $"{name}-rank-{r}")).ToList();
        var endpoints = await Task.WhenAll(ranks.Select(r => r.Ask<IActorRef>(GetCollectiveEndpoint.Instance, settings.CommandTimeout)));
        var group = new TensorParallelGroup(system, name, ranks, settings);
        await group.AskAll<Done>(_ => new JoinGroup(name, endpoints));
        var description = await group.RunOnEachRank(context => ((CpuBackend)context.Backend).Description);
        group.BackendDescription = RankSettings.GroupDescription(description[0], size);
        return group;
    }

    /// <summary>Sends every rank its command and waits for all answers, by rank.</summary>
    /// <exception cref="RankFailedException">Some ranks failed or did not answer in time; each is named with its error.</exception>
    public async Task<T[]> AskAll<T>(Func<int, object> commandForRank)
    {
        var tasks = Ranks.Select((rank, r) => rank.Ask<T>(commandForRank(r), Settings.CommandTimeout)).ToArray();
        try
        {
            return await Task.WhenAll(tasks);
        }
        catch
        {
            var failures = new SortedDictionary<int, Exception>();
            for (int r = 0; r < tasks.Length; r++)
                if (tasks[r].Exception is { } error) failures[r] = error.InnerExceptions.Count == 1 ? error.InnerException! : error;
            string list = string.Join("; ", failures.Select(f => $"rank {f.Key}: {f.Value.Message}"));
            throw new RankFailedException($"{failures.Count} of {Size} ranks of group '{Name}' failed: {list}", failures);
        }
    }

    /// <summary>Runs <paramref name="work"/> on every rank's thread with its context; the answers, by rank.</summary>
    public Task<T[]> RunOnEachRank<T>(Func<Parallel.ParallelContext, T> work) => AskAll<T>(_ => new RunOnRank(Name, context => work(context)));

    /// <summary>Stops the rank actors and waits until they have stopped.</summary>
    public async ValueTask DisposeAsync()
    {
        var stopped = Ranks.Select(rank => WhenStopped(rank)).ToList();
        foreach (var rank in Ranks) _system.Stop(rank);
        await Task.WhenAll(stopped);
    }

    private Task WhenStopped(IActorRef rank)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _system.ActorOf(Props.Create(() => new StopWatcher(rank, done)));
        return done.Task;
    }

    // Completes its task when the watched rank terminates.
    private sealed class StopWatcher : ReceiveActor
    {
        public StopWatcher(IActorRef rank, TaskCompletionSource done)
        {
            Context.Watch(rank);
            Receive<Terminated>(_ => { done.TrySetResult(); Context.Stop(Self); });
        }
    }
}
