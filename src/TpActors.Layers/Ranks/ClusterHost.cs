using Akka.Actor;
using TpActors.Layers.Collectives;
using TpActors.Runtime.Cluster;
using TpActors.Runtime.Configuration;
using TpActors.Layers.Snapshots;

namespace TpActors.Layers.Ranks;

/// <summary>
/// One node of a TpActors cluster that hosts rank actors (what <c>tpactors host</c> runs, and what an in-test cluster starts
/// several of): an actor system that is an Akka.Cluster member with the role "host", its <see cref="HostSlots"/> at
/// <c>/user/host</c>, the rank dispatcher, and its bulk lane listening. Jobs' supervisors deploy ranks onto it.
/// </summary>
public sealed class ClusterHost : IAsyncDisposable
{
    private ClusterHost(ActorSystem system, int slots)
    {
        System = system;
        Slots = slots;
        Address = ClusterBootstrap.AddressOf(system);
        Lane = CollectiveTransport.For(system).Lane!.Address;
    }

    /// <summary>The node's actor system.</summary>
    public ActorSystem System { get; }

    /// <summary>Its Akka.Remote address, host:port: what other nodes give as a seed.</summary>
    public string Address { get; }

    /// <summary>Its bulk lane's address, host:port.</summary>
    public string Lane { get; }

    /// <summary>The rank slots it offers.</summary>
    public int Slots { get; }

    /// <summary>
    /// Starts a host with <paramref name="config"/> and <paramref name="options"/>, joins the cluster (or starts one) and waits
    /// until it is Up; <paramref name="report"/> gets one line per membership change, lease and release.
    /// </summary>
    public static async Task<ClusterHost> StartAsync(HoconConfig config, ClusterOptions options, Action<string>? report = null, Func<HoconConfig, ActorSystem>? create = null)
    {
        var system = await ClusterBootstrap.JoinAsync(config, options, ClusterBootstrap.HostRole, create).ConfigureAwait(false);
        RankDispatcher.EnsureConfigured(system);
        _ = CollectiveTransport.For(system); // the lane listens before any driver learns of this host
        _ = SnapshotVault.For(system);       // and the vault takes other hosts' snapshot copies from the start
        if (report is not null) system.ActorOf(MembershipLog.Props(report), "membership");
        system.ActorOf(QuarantineExit.Props(report), "quarantine-exit");
        system.ActorOf(HostSlots.Props(options.EffectiveSlots, Environment.ProcessorCount, report), HostSlots.Name);
        return new ClusterHost(system, options.EffectiveSlots);
    }

    /// <summary>Leaves the cluster gracefully (Exiting, then Removed) and stops the node; its ranks stop with it.</summary>
    public async ValueTask DisposeAsync()
    {
        await ClusterBootstrap.LeaveAsync(System).ConfigureAwait(false);
        await System.WhenTerminated.ConfigureAwait(false);
    }
}
