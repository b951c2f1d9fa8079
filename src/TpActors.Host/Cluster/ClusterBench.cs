using Akka.Actor;
using TpActors.Host.Bench;
using TpActors.Runtime.Cluster;
using TpActors.Runtime.Configuration;

namespace TpActors.Host.Cluster;

/// <summary>Runs a bench against host processes it starts on this machine (the benches' <c>--processes</c>), and stops them after.</summary>
public static class ClusterBench
{
    /// <summary>
    /// Starts <paramref name="processes"/> hosts with enough slots for <paramref name="ranks"/> ranks (and the bench's own
    /// --config and -D, <paramref name="configArgs"/>, so both sides of the lane run the same settings), joins them as a
    /// driver, leases the slots, and runs <paramref name="run"/>. <paramref name="spares"/> more hosts of as many slots
    /// hold no rank at first: room for the ranks of a host the bench kills.
    /// </summary>
    public static async Task<IReadOnlyList<BenchResult>> Run(HoconConfig config, IReadOnlyList<string> configArgs, int processes, int ranks, TextWriter log,
        Func<ActorSystem, SlotLease, Task<IReadOnlyList<BenchResult>>> run, int spares = 0)
    {
        int slots = (ranks + processes - 1) / processes;
        var quiet = TextWriter.Null; // the hosts' membership chatter would interleave with the bench's table
        await using var hosts = await HostProcesses.StartAsync(processes + spares, slots, configArgs, quiet, TimeSpan.FromSeconds(60));
        var driverConfig = ConfigFactory.ParseString($"tpactors.cluster.secret = \"{hosts.Secret}\"", "the bench's cluster").WithFallback(config).Resolve();
        await using var job = await ClusterJob.StartAsync(driverConfig, hosts.Addresses[0], ranks, "bench", log);
        return await run(job.System, job.Lease);
    }
}
