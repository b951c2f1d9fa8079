using TpActors.Runtime.Cluster;
using TpActors.Runtime.Configuration;

namespace TpActors.Layers.Tests.Cluster;

/// <summary>
/// A whole TpActors cluster inside the test process: hosts and a driver, each its own actor system and Akka.Cluster member
/// on 127.0.0.1 with OS-chosen ports (Akka.Remote and bulk lane both), joined through the first host as seed. Disposing it
/// leaves and stops every node it started.
/// </summary>
public sealed class InProcessCluster : IAsyncDisposable
{
    private InProcessCluster(IReadOnlyList<ClusterHost> hosts, ActorSystem driver)
    {
        Hosts = hosts;
        Driver = driver;
    }

    /// <summary>The hosts, in start order (the first is the seed).</summary>
    public IReadOnlyList<ClusterHost> Hosts { get; }

    /// <summary>The driver's actor system (role "driver", no slots).</summary>
    public ActorSystem Driver { get; }

    /// <summary>Options for a node of this cluster: loopback, port 0, short waits.</summary>
    public static ClusterOptions Options(params string[] seeds) =>
        ClusterOptions.FromConfig(ConfigFactory.Reference) with { Seeds = seeds, SlotWait = TimeSpan.FromSeconds(20), JoinTimeout = TimeSpan.FromSeconds(20) };

    /// <summary>
    /// The failure detector of nodes that share one process. Every node here runs on one .NET runtime, so a stall of that
    /// runtime silences all of them at once: while the tiered JIT's background worker recompiles a burst of newly hot
    /// methods, the other threads of the process were seen not to run for up to 2 s (perf: the worker alone on a CPU). With
    /// reference.conf's 1.5 s pause the driver then saw every host unreachable together and gave their ranks up as lost.
    /// Separate `tpactors host` processes (the shape reference.conf is tuned for) showed no such delay.
    /// </summary>
    public const string SharedProcessFailureDetector = "akka.cluster.failure-detector.acceptable-heartbeat-pause = 6s";

    /// <summary>
    /// Starts <paramref name="hosts"/> hosts of <paramref name="slots"/> slots each and a driver (all with HOCON
    /// <paramref name="settings"/> over <see cref="SharedProcessFailureDetector"/>, unless <paramref name="sharedProcessFailureDetector"/>
    /// is false, over reference.conf), and waits until all are Up.
    /// </summary>
    public static async Task<InProcessCluster> StartAsync(int hosts, int slots, string settings = "", bool sharedProcessFailureDetector = true)
    {
        var started = new List<ClusterHost>();
        ActorSystem? driver = null;
        try
        {
            var config = ConfigFactory.ParseString(settings, "the test's settings")
                .WithFallback(ConfigFactory.ParseString(sharedProcessFailureDetector ? SharedProcessFailureDetector : "", "the in-process cluster's failure detector"))
                .WithFallback(ConfigFactory.Reference).Resolve();
            started.Add(await ClusterHost.StartAsync(config, Options() with { Slots = slots }));
            var seed = started[0].Address;
            var rest = await Task.WhenAll(Enumerable.Range(1, hosts - 1).Select(_ => ClusterHost.StartAsync(config, Options(seed) with { Slots = slots })));
            started.AddRange(rest);
            driver = await ClusterBootstrap.JoinAsync(config, Options(seed), ClusterBootstrap.DriverRole);
            return new InProcessCluster(started, driver);
        }
        catch
        {
            if (driver is not null) await driver.Terminate();
            foreach (var host in started) await host.System.Terminate();
            throw;
        }
    }

    /// <summary>Leases <paramref name="ranks"/> slots on the hosts for a job.</summary>
    public Task<SlotLease> LeaseAsync(string job, int ranks) => SlotLease.AcquireAsync(Driver, job, ranks, TimeSpan.FromSeconds(20));

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await ClusterBootstrap.LeaveAsync(Driver);
        await Driver.WhenTerminated;
        await Task.WhenAll(Hosts.Select(h => h.DisposeAsync().AsTask()));
    }
}
