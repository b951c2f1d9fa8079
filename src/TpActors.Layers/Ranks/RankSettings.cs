using TpActors.Runtime.Cluster;
using TpActors.Layers.Collectives;
using TpActors.Layers.Tensors;
using TpActors.Runtime.Configuration;

namespace TpActors.Layers.Ranks;

/// <summary>How rank actors run (<c>tpactors.tensors</c>, <c>tpactors.ranks</c> and <c>tpactors.collectives</c> in reference.conf).</summary>
/// <param name="Backend">Which GEMM the ranks use.</param>
/// <param name="BlasThreads">GEMM threads per rank; 0 means cores / ranks (at least 1).</param>
/// <param name="CommandTimeout">How long the group waits for every rank to answer a command.</param>
/// <param name="Collectives">Collective timeouts and chunking.</param>
public sealed record RankSettings(BackendKind Backend, int BlasThreads, TimeSpan CommandTimeout, CollectiveSettings Collectives) : ILayersMessage
{
    /// <summary>Reads the settings, naming the setting that is wrong.</summary>
    public static RankSettings FromConfig(HoconConfig config)
    {
        string backend = config.GetString("tpactors.tensors.backend");
        SettingRules.Require("tpactors.tensors.backend", backend);
        var kind = backend switch
        {
            "auto" => BackendKind.Auto,
            "openblas" => BackendKind.OpenBlas,
            _ => BackendKind.Managed,
        };
        int threads = config.GetInt("tpactors.tensors.blas-threads");
        SettingRules.Require("tpactors.tensors.blas-threads", threads);
        return new RankSettings(kind, threads, config.GetDuration("tpactors.ranks.command-timeout"), CollectiveSettings.FromConfig(config));
    }

    /// <summary>The defaults of reference.conf.</summary>
    public static RankSettings Default { get; } = FromConfig(ConfigFactory.Reference);

    /// <summary>The backend <paramref name="ranks"/> ranks get with these settings, in words (see <see cref="GroupDescription"/>).</summary>
    public string BackendDescription(int ranks) => GroupDescription(CpuBackend.Create(Backend, ThreadsPerRank(ranks)).Description, ranks);

    /// <summary>"<paramref name="perRank"/> per rank × <paramref name="ranks"/> ranks", e.g. "openblas (SkylakeX), 1 BLAS thread per rank × 2 ranks".</summary>
    public static string GroupDescription(string perRank, int ranks) => $"{perRank} per rank × {ranks} rank{(ranks == 1 ? "" : "s")}";

    /// <summary>GEMM threads for each of <paramref name="ranks"/> ranks on this machine.</summary>
    public int ThreadsPerRank(int ranks) => ThreadsPerRank(ranks, Environment.ProcessorCount);

    /// <summary>GEMM threads for each of <paramref name="ranks"/> ranks sharing a machine of <paramref name="cores"/> cores (a cluster host's).</summary>
    public int ThreadsPerRank(int ranks, int cores) => BlasThreads > 0 ? BlasThreads : Math.Max(1, cores / Math.Max(1, ranks));
}
