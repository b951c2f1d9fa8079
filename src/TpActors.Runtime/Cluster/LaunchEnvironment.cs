using System.Globalization;
using System.Net;

namespace TpActors.Runtime.Cluster;

/// <summary>
/// What a launcher told this process through its environment: torchrun's (<c>MASTER_ADDR</c>, <c>MASTER_PORT</c>,
/// <c>RANK</c>, <c>WORLD_SIZE</c>, <c>LOCAL_RANK</c>), Open MPI's (<c>OMPI_COMM_WORLD_RANK</c>, <c>_SIZE</c>,
/// <c>_LOCAL_RANK</c>) or SLURM's (<c>SLURM_PROCID</c>, <c>SLURM_NTASKS</c>, <c>SLURM_LOCALID</c>, <c>SLURM_JOB_NODELIST</c>).
/// Process 0 of the launch is the cluster's seed: it binds the seed address, and every other process joins it, so
/// <c>srun tpactors host</c> and <c>mpirun -n 4 tpactors host</c> form one cluster with no flags.
/// </summary>
/// <param name="Source">Which launcher: "torchrun", "Open MPI" or "SLURM".</param>
/// <param name="Rank">This process's rank in the launch.</param>
/// <param name="WorldSize">Processes in the launch.</param>
/// <param name="LocalRank">This process's rank on its machine.</param>
/// <param name="Seed">The seed's host:port: the master address (torchrun), the first node (SLURM), or loopback.</param>
public sealed record LaunchEnvironment(string Source, int Rank, int WorldSize, int LocalRank, NodeAddress Seed)
{
    /// <summary>Whether this process is the seed (launch rank 0).</summary>
    public bool IsSeed => Rank == 0;

    /// <summary>
    /// The launch environment in <paramref name="environment"/>, or null when no launcher set one. The seed's port is
    /// <paramref name="port"/>, except under torchrun: its MASTER_PORT is its own store's, so the seed takes the next one.
    /// </summary>
    /// <exception cref="ArgumentException">A variable is set but not a number, or the rank is not below the world size.</exception>
    public static LaunchEnvironment? Detect(IReadOnlyDictionary<string, string> environment, int port)
    {
        string? Get(string name) => environment.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
        int Number(string name, int fallback = 0) => Get(name) is { } text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : throw new ArgumentException($"The launch environment sets {name}={text}, which is not a number.")
            : fallback;

        LaunchEnvironment? found = null;
        if (Get("RANK") is not null && Get("WORLD_SIZE") is not null)
        {
            string master = Get("MASTER_ADDR") ?? "127.0.0.1";
            int masterPort = Number("MASTER_PORT", port - 1);
            found = new LaunchEnvironment("torchrun", Number("RANK"), Number("WORLD_SIZE"), Number("LOCAL_RANK"), new NodeAddress(master, masterPort + 1));
        }
        else if (Get("OMPI_COMM_WORLD_RANK") is not null)
        {
            found = new LaunchEnvironment("Open MPI", Number("OMPI_COMM_WORLD_RANK"), Number("OMPI_COMM_WORLD_SIZE", 1), Number("OMPI_COMM_WORLD_LOCAL_RANK"),
                new NodeAddress(Get("MASTER_ADDR") ?? FirstSlurmNode(Get("SLURM_JOB_NODELIST")) ?? "127.0.0.1", port));
        }
        else if (Get("SLURM_PROCID") is not null)
        {
            found = new LaunchEnvironment("SLURM", Number("SLURM_PROCID"), Number("SLURM_NTASKS", 1), Number("SLURM_LOCALID"),
                new NodeAddress(FirstSlurmNode(Get("SLURM_JOB_NODELIST")) ?? "127.0.0.1", port));
        }
        if (found is not null && (found.Rank < 0 || found.Rank >= found.WorldSize))
            throw new ArgumentException($"The {found.Source} launch environment gives rank {found.Rank} of a world of {found.WorldSize}.");
        return found;
    }

    /// <summary>The process's own environment, as a dictionary.</summary>
    public static IReadOnlyDictionary<string, string> Current() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");

    /// <summary>
    /// <paramref name="options"/> for this process of the launch: the seed binds the seed address and starts the cluster;
    /// every other process joins it, bound to loopback when the seed is on this machine's loopback, else to all interfaces
    /// under this machine's name.
    /// </summary>
    public ClusterOptions Apply(ClusterOptions options)
    {
        bool loopback = IPAddress.TryParse(Seed.Host, out var ip) && IPAddress.IsLoopback(ip);
        if (IsSeed) return options with { Seeds = [], Bind = (loopback ? Seed : new NodeAddress("0.0.0.0", Seed.Port)).ToString(), PublicHostname = loopback ? "" : Seed.Host };
        return options with
        {
            Seeds = [Seed.ToString()],
            Bind = loopback ? "127.0.0.1:0" : "0.0.0.0:0",
            PublicHostname = loopback ? "" : Dns.GetHostName(),
        };
    }

    private static string? FirstSlurmNode(string? list) => list is null ? null : SlurmNodeList.Expand(list).FirstOrDefault();
}
