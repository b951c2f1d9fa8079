using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Cluster;

/// <summary>How a process joins a cluster (<c>tpactors.cluster</c> in reference.conf, then the command's options).</summary>
/// <param name="Seeds">Seed nodes, "host:port"; empty: this node starts a new cluster.</param>
/// <param name="Bind">Where Akka.Remote listens, "host:port" (port 0: the OS picks).</param>
/// <param name="PublicHostname">The host name others reach this node by; empty: bind's host.</param>
/// <param name="Slots">Rank slots a host offers (0: one per core).</param>
/// <param name="Roles">Extra roles.</param>
/// <param name="SlotWait">How long a driver waits for enough slots.</param>
/// <param name="JoinTimeout">How long a node waits to be Up.</param>
public sealed record ClusterOptions(IReadOnlyList<string> Seeds, string Bind, string PublicHostname, int Slots, IReadOnlyList<string> Roles, TimeSpan SlotWait, TimeSpan JoinTimeout)
{
    /// <summary>Reads <c>tpactors.cluster</c>, naming the setting that is wrong.</summary>
    public static ClusterOptions FromConfig(HoconConfig config)
    {
        int slots = config.GetInt("tpactors.cluster.slots");
        SettingRules.Require("tpactors.cluster.slots", slots);
        var options = new ClusterOptions(
            config.GetStringList("tpactors.cluster.seed-nodes"),
            config.GetString("tpactors.cluster.bind"),
            config.GetString("tpactors.cluster.public-hostname"),
            slots,
            config.GetStringList("tpactors.cluster.roles"),
            config.GetDuration("tpactors.cluster.slot-wait"),
            config.GetDuration("tpactors.cluster.join-timeout"))
        {
            ReplaceWait = config.GetDuration("tpactors.cluster.replace-wait"),
        };
        foreach (var seed in options.Seeds) NodeAddress.ParseTarget(seed, "tpactors.cluster.seed-nodes");
        NodeAddress.Parse(options.Bind, "tpactors.cluster.bind");
        return options;
    }

    /// <summary>Whether a non-loopback bind without TLS is allowed (<c>--insecure</c>).</summary>
    public bool Insecure { get; init; }

    /// <summary>How long a job's supervisor waits for free slots for the ranks of a lost host before the run stops.</summary>
    public TimeSpan ReplaceWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The slots a host offers: <see cref="Slots"/>, or one per core when it is 0.</summary>
    public int EffectiveSlots => Slots > 0 ? Slots : Environment.ProcessorCount;
}
