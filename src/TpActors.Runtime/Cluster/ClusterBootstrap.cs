using System.Text.Json;
using Akka.Actor;
using TpActors.Runtime.Configuration;
using AkkaCluster = Akka.Cluster.Cluster;

namespace TpActors.Runtime.Cluster;

/// <summary>
/// Starts a process's actor system as a member of the TpActors cluster: Akka's cluster provider, its remote endpoint on
/// the bind address, the seeds and roles from <see cref="ClusterOptions"/>, and waits until this member is Up. With no
/// seed, the node joins itself: it is the first node of a new cluster.
/// </summary>
public static class ClusterBootstrap
{
    /// <summary>The actor system name every member shares (part of every Akka address).</summary>
    public const string SystemName = "tpactors";

    /// <summary>The role of a process that offers rank slots.</summary>
    public const string HostRole = "host";

    /// <summary>The role of a process that runs a job's supervisor.</summary>
    public const string DriverRole = "driver";

    /// <summary><paramref name="config"/> with Akka's cluster settings for a member with <paramref name="options"/> and <paramref name="role"/> laid on top.</summary>
    /// <exception cref="ArgumentException">A non-loopback bind without TLS and without <see cref="ClusterOptions.Insecure"/>, or an unreadable secret file or certificate.</exception>
    public static HoconConfig Configure(HoconConfig config, ClusterOptions options, string role)
    {
        var bind = NodeAddress.Parse(options.Bind, "--bind");
        string publicHost = options.PublicHostname.Length > 0 ? options.PublicHostname : bind.Host;
        bool tls = RequireSafeBind(config, options);
        var seeds = options.Seeds.Select(s => NodeAddress.ParseTarget(s, "--seed").ToAkkaAddress(tls)).ToList();
        var roles = new[] { role }.Concat(options.Roles).Distinct().ToList();
        string text = $$"""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp.hostname = {{Quote(bind.Host)}}
            akka.remote.dot-netty.tcp.public-hostname = {{Quote(publicHost)}}
            akka.remote.dot-netty.tcp.port = {{bind.Port}}
            akka.remote.dot-netty.tcp.enable-ssl = {{(tls ? "true" : "false")}}
            akka.cluster.seed-nodes = {{JsonSerializer.Serialize(seeds)}}
            akka.cluster.roles = {{JsonSerializer.Serialize(roles)}}
            """;
        if (SecretFromFile(config) is { } secret) text += $"\ntpactors.cluster.secret = {Quote(secret)}";
        return ConfigFactory.ParseString(text, $"the {role}'s cluster options").WithFallback(config).Resolve();
    }

    /// <summary>
    /// Starts a member and waits until it is Up; with no seeds it joins itself. The system is terminated when it cannot
    /// join in time.
    /// </summary>
    /// <exception cref="TimeoutException">It did not become Up within the join timeout; the message names the seeds.</exception>
    public static async Task<ActorSystem> JoinAsync(HoconConfig config, ClusterOptions options, string role, Func<HoconConfig, ActorSystem>? create = null)
    {
        var configured = Configure(config, options, role);
        var tls = ClusterTls.FromConfig(configured);
        // A seed given by a name that resolves to addresses is joined under the one it answers to, found before joining
        // (a host bound to 127.0.0.1 answers to that, not to localhost); so Akka does not join the seeds by itself.
        var targets = options.Seeds.Select(s => NodeAddress.ParseTarget(s, "--seed")).ToList();
        bool byName = targets.Any(s => !s.IsIp);
        if (byName) configured = ConfigFactory.ParseString("akka.cluster.seed-nodes = []", "the seeds, joined once their names are settled").WithFallback(configured).Resolve();
        var system = (create ?? (c => AkkaBootstrap.Create(SystemName, c, extra: tls?.Setup())))(configured);
        var cluster = AkkaCluster.Get(system);
        var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.RegisterOnMemberUp(() => up.TrySetResult());
        if (options.Seeds.Count == 0) cluster.Join(cluster.SelfAddress);
        else if (byName)
        {
            var seeds = new List<Address>();
            foreach (var seed in targets) seeds.Add(await SeedProbe.AnsweringAddressAsync(system, seed, tls is not null).ConfigureAwait(false));
            cluster.JoinSeedNodes(seeds);
        }
        try
        {
            await up.Task.WaitAsync(options.JoinTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Joined but never Up: the cluster did not converge (a member unreachable and not yet downed), which is not a seed's silence.
            var state = cluster.State;
            bool joined = state.Members.Any(m => m.UniqueAddress.Equals(cluster.SelfUniqueAddress));
            string unreachable = string.Join(", ", state.Unreachable.Select(m => NodeAddress.Of(m.Address)));
            await system.Terminate().ConfigureAwait(false);
            string within = $"within {options.JoinTimeout.TotalSeconds:0.###}s (tpactors.cluster.join-timeout)";
            throw new TimeoutException(options.Seeds.Count == 0 ? $"This node could not form a cluster {within}."
                : joined ? $"This node joined through {string.Join(", ", options.Seeds)} but was not made Up {within}: the cluster did not converge" +
                           (unreachable.Length > 0 ? $" while {unreachable} stayed unreachable and was not downed." : ".")
                : $"No seed answered {within}: {string.Join(", ", options.Seeds)}. " +
                  "Is a `tpactors host` running there, reachable from here, with the same TLS certificate (tpactors.cluster.tls.certificate), or none on both sides? " +
                  "A host answers only to the address it printed on its first line (its bind's host, or tpactors.cluster.public-hostname): give that one.");
        }
        return system;
    }

    /// <summary>Leaves the cluster gracefully (Exiting, then Removed) and terminates the system.</summary>
    public static Task LeaveAsync(ActorSystem system) => CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);

    /// <summary>"host:port" of this member's Akka address.</summary>
    public static string AddressOf(ActorSystem system) => NodeAddress.Of(AkkaCluster.Get(system).SelfAddress).ToString();

    private static string Quote(string text) => JsonSerializer.Serialize(text);

    /// <summary>Whether the cluster runs over TLS; refuses a bind others could reach without it, unless <see cref="ClusterOptions.Insecure"/>.</summary>
    /// <exception cref="ArgumentException">A non-loopback bind without TLS or --insecure.</exception>
    public static bool RequireSafeBind(HoconConfig config, ClusterOptions options)
    {
        bool tls = config.GetString("tpactors.cluster.tls.certificate").Length > 0;
        if (!tls && !options.Insecure && !IsLoopback(NodeAddress.Parse(options.Bind, "--bind").Host))
            throw new ArgumentException($"--bind {options.Bind} is not a loopback address and the cluster has no TLS certificate (tpactors.cluster.tls.certificate): " +
                "anyone who reaches that port could join. Give every node one (`tpactors cluster new-cert DIR` writes one), or pass --insecure on a network you trust.");
        return tls;
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));

    // The secret in tpactors.cluster.secret-file, when secret itself is empty and a file is named; null otherwise.
    private static string? SecretFromFile(HoconConfig config)
    {
        string path = config.GetString("tpactors.cluster.secret-file");
        if (path.Length == 0 || config.GetString("tpactors.cluster.secret").Length > 0) return null;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > 64 << 10) throw new IOException($"it is {info.Length} bytes; a secret file holds at most 64 KiB");
            string secret = File.ReadAllText(path).Trim();
            return secret.Length > 0 ? secret : throw new IOException("it is empty");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"tpactors.cluster.secret-file '{path}' cannot be read: {e.Message}.", e);
        }
    }
}
