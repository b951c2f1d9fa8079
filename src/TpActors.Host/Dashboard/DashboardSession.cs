using System.Globalization;
using System.Runtime.InteropServices;
using Akka.Actor;
using TpActors.Layers.Models;
using TpActors.Layers.Training;

namespace TpActors.Host.Dashboard;

/// <summary>
/// One command's dashboard (train, verify, host): the feed, the server, and on a cluster the member watcher; started before
/// the command's work and, after it, kept until Ctrl-C when asked (<c>--dashboard-keep</c>), else closed.
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

    /// <summary>
    /// Starts a page at <paramref name="endpoint"/> showing <paramref name="settings"/>; with <paramref name="slotsHere"/> its
    /// one member is this process with that many ranks, else (a cluster's driver or host) the cluster's members as they change.
    /// </summary>
    /// <exception cref="IOException">The address cannot be bound.</exception>
    public static async Task<DashboardSession> StartAsync(System.Net.IPEndPoint endpoint, ActorSystem system, IReadOnlyDictionary<string, string> settings, int? slotsHere, TextWriter log)
    {
        var metrics = new RunMetrics();
        var feed = new RunFeed(metrics.Member);
        feed.Settings(settings);
        IActorRef? members = null;
        if (slotsHere is { } slots) feed.Member(RunFeed.ThisProcess, "Up", slots, []);
        else members = system.ActorOf(ClusterMembers.Props(feed), "dashboard-members");
        var server = await DashboardServer.StartAsync(endpoint, feed, metrics).ConfigureAwait(false);
        log.WriteLine($"dashboard: {server.Url}");
        return new DashboardSession(feed, metrics, server, members);
    }

    /// <summary>What the page lists of a training run's settings.</summary>
    public static Dictionary<string, string> SettingsOf(TrainingOptions run)
    {
        var settings = new Dictionary<string, string>
        {
            ["command"] = "train",
            ["tp"] = run.Tp.ToString(CultureInfo.InvariantCulture),
            ["model"] = run.Model.Summary,
            ["batch"] = run.Task.Batch.ToString(CultureInfo.InvariantCulture),
            ["steps"] = run.Steps.ToString(CultureInfo.InvariantCulture),
            ["optimizer"] = string.Create(CultureInfo.InvariantCulture, $"{run.Optimizer.Name}, lr {run.Optimizer.LearningRate}"),
            ["seed"] = run.Task.Seed.ToString(CultureInfo.InvariantCulture),
            ["backend"] = run.Ranks.BackendDescription(run.Tp),
        };
        if (run.Model is GptModelSpec gpt) settings["tokens per step"] = ((long)run.Task.Batch * gpt.Context).ToString(CultureInfo.InvariantCulture);
        return settings;
    }

    /// <summary>Marks the work done; with <paramref name="keep"/>, serves the page until Ctrl-C or SIGTERM.</summary>
    public async Task FinishAsync(string summary, bool keep, TextWriter log)
    {
        Feed.Done(summary);
        if (!keep) return;
        log.WriteLine($"dashboard: done; the page stays up at {Url} until Ctrl-C");
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true; // the command closes the page and ends as it would have
            stop.TrySetResult();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        await stop.Task.ConfigureAwait(false);
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
