using Akka.Actor;
using TpActors.Runtime.Cluster;
using TpActors.Runtime.Configuration;

namespace TpActors.Host.Cluster;

/// <summary>
/// A command's job on a cluster (<c>--cluster HOST:PORT</c>): this process joins as a driver member (role "driver", no
/// slots), leases the job's rank slots on the hosts (filled in address order, printed as a placement table on stderr),
/// and on disposal releases them and leaves the cluster.
/// </summary>
public sealed class ClusterJob : IAsyncDisposable
{
    private ClusterJob(ActorSystem system, SlotLease lease)
    {
        System = system;
        Lease = lease;
    }

    /// <summary>The driver's actor system: the job's supervisor runs here.</summary>
    public ActorSystem System { get; }

    /// <summary>Each rank's host and slot.</summary>
    public SlotLease Lease { get; }

    /// <summary>Joins the cluster at <paramref name="seed"/> and leases <paramref name="ranks"/> slots for <paramref name="job"/>.</summary>
    /// <exception cref="TimeoutException">The cluster did not answer, or offered too few slots within tpactors.cluster.slot-wait.</exception>
    /// <exception cref="IOException">Nothing listens at <paramref name="seed"/>, or its name does not resolve.</exception>
    public static async Task<ClusterJob> StartAsync(HoconConfig config, string seed, int ranks, string job, TextWriter log)
    {
        var target = NodeAddress.ParseTarget(seed, "--cluster");
        var options = ClusterOptions.FromConfig(config) with { Seeds = [target.ToString()] };
        await SeedProbe.CheckAsync(target, "--cluster", config.GetDuration("tpactors.cluster.bulk.connect-timeout")).ConfigureAwait(false); // a closed port is said at once
        var system = await ClusterBootstrap.JoinAsync(config, options, ClusterBootstrap.DriverRole).ConfigureAwait(false);
        try
        {
            var lease = await SlotLease.AcquireAsync(system, job, ranks, options.SlotWait, options.ReplaceWait).ConfigureAwait(false);
            log.WriteLine($"placement of {ranks} rank{(ranks == 1 ? "" : "s")} (driver {ClusterBootstrap.AddressOf(system)}):");
            log.WriteLine("  rank  host                    slot");
            foreach (var rank in lease.Ranks) log.WriteLine($"  {rank.Rank,4}  {rank.Host,-22}  {rank.Slot,4}");
            return new ClusterJob(system, lease);
        }
        catch
        {
            await ClusterBootstrap.LeaveAsync(system).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A command's cluster job when <paramref name="seed"/> (its <c>--cluster</c>) is given, else null; the error that
    /// stopped it from joining or leasing (the cluster did not answer, too few slots), or null.
    /// </summary>
    public static string? TryStart(HoconConfig config, string? seed, int ranks, string job, TextWriter log, out ClusterJob? started)
    {
        started = null;
        if (seed is null) return null;
        try
        {
            started = StartAsync(config, seed, ranks, job, log).GetAwaiter().GetResult();
            return null;
        }
        catch (Exception e) when (e is TimeoutException or ArgumentException or IOException or NotEnoughSlotsException)
        {
            return e.Message;
        }
    }

    /// <summary>Releases the slots and leaves the cluster.</summary>
    public async ValueTask DisposeAsync()
    {
        await Lease.DisposeAsync().ConfigureAwait(false);
        await ClusterBootstrap.LeaveAsync(System).ConfigureAwait(false);
        await System.WhenTerminated.ConfigureAwait(false);
    }
}
