using System.Globalization;
using Akka.Actor;
using TpActors.Layers.Models;
using TpActors.Layers.Training;

namespace TpActors.Host.Dashboard;

/// <summary>
/// One command's dashboard: the feed, the server, and on a cluster the member watcher; started before the run and, after
/// it, kept until Ctrl-C when asked (<c>--dashboard-keep</c>), else closed.
/// </summary>
public sealed class DashboardSession : IAsyncDisposable
{
    private readonly DashboardServer _server;
    private readonly IActorRef? _members;

    private DashboardSession(RunFeed feed, RunMetrics metrics, DashboardServer server, IActorRef? members)
    {
        Feed = feed;
        Metrics = metrics;
        _server = server;
        _members = members;
    }

    /// <summary>What the page shows.</summary>
    public RunFeed Feed { get; }

    /// <summary>What /metrics serves.</summary>
    public RunMetrics Metrics { get; }

    /// <summary>The callbacks that feed the page and the metrics from a run.</summary>
    public TrainingObserver Observer => TrainingObserver.Both(Feed.Observer, Metrics.Observer);

    /// <summary>Where the page is.</summary>
    public string Url => _server.Url;

    /// <summary>Starts the page for <paramref name="run"/> at <paramref name="endpoint"/>; on a cluster (<paramref name="onCluster"/>) it lists its members.</summary>
    public static async Task<DashboardSession> StartAsync(System.Net.IPEndPoint endpoint, ActorSystem system, TrainingOptions run, bool onCluster, TextWriter log)
    {
        var metrics = new RunMetrics();
        var feed = new RunFeed(metrics.Member);
        var settings = new Dictionary<string, string>
        {
            ["tp"] = run.Tp.ToString(CultureInfo.InvariantCulture),
            ["model"] = run.Model.Summary,
            ["batch"] = run.Task.Batch.ToString(CultureInfo.InvariantCulture),
            ["steps"] = run.Steps.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = string.Create(CultureInfo.InvariantCulture, $"{run.Optimizer.Name}, lr {run.Optimizer.LearningRate}"),
            ["seed"] = run.Task.Seed.ToString(CultureInfo.InvariantCulture),
            ["backend"] = run.Ranks.BackendDescription(run.Tp),
        };
        if (run.Model is GptModelSpec gpt) settings["tokens per step"] = ((long)run.Task.Batch * gpt.Context).ToString(CultureInfo.InvariantCulture);
        feed.Settings(settings);
        IActorRef? members = null;
        if (onCluster) members = system.ActorOf(ClusterMembers.Props(feed), "dashboard-members");
        else feed.Member("this process", "Up", run.Tp, []);
        var server = await DashboardServer.StartAsync(endpoint, feed, metrics).ConfigureAwait(false);
        log.WriteLine($"dashboard: {server.Url}");
        return new DashboardSession(feed, metrics, server, members);
    }

    /// <summary>Marks the run done; with <paramref name="keep"/>, serves the page until <paramref name="stop"/> (Ctrl-C).</summary>
    public async Task FinishAsync(string summary, bool keep, CancellationToken stop, TextWriter log)
    {
        Feed.Done(summary);
        if (!keep) return;
        log.WriteLine($"dashboard: the run is over; the page stays up at {Url} until Ctrl-C");
        try
        {
            await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C: close the page.
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _members?.Tell(PoisonPill.Instance);
        await _server.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Closes a command's dashboard when the command ends, however it ends.</summary>
public sealed class PageEnd(DashboardSession session) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose() => session.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
