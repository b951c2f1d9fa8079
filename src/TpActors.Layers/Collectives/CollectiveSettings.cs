using TpActors.Runtime.Configuration;

namespace TpActors.Layers.Collectives;

/// <summary>How collective rounds run (<c>tpactors.collectives</c> in reference.conf).</summary>
/// <param name="RoundTimeout">How long a round may take at a rank, from its start there, before it fails.</param>
/// <param name="StallGrace">After a timeout, how long a rank collects its peers' stall reports before naming who did not answer.</param>
/// <param name="ChunkElements">Floats per message: larger buffers are cut into chunks that pipeline around the ring.</param>
/// <param name="BulkChunkElements">Floats per message in a group whose ranks span processes (the bulk lane's chunk size).</param>
/// <param name="RecordedPerPhase">Collectives a rank records per phase (see <see cref="CollectiveRecorder"/>).</param>
public sealed record CollectiveSettings(TimeSpan RoundTimeout, TimeSpan StallGrace, int ChunkElements, int BulkChunkElements = 1 << 18, int RecordedPerPhase = 1024)
{
    /// <summary>Reads <c>tpactors.collectives</c>.</summary>
    public static CollectiveSettings FromConfig(HoconConfig config)
    {
        long chunkBytes = config.GetBytes("tpactors.collectives.chunk-size");
        SettingRules.Require("tpactors.collectives.chunk-size", chunkBytes);
        long bulkChunkBytes = config.GetBytes("tpactors.cluster.bulk.chunk-size");
        SettingRules.Require("tpactors.cluster.bulk.chunk-size", bulkChunkBytes);
        int recorded = config.GetInt("tpactors.collectives.recorded-per-phase");
        SettingRules.Require("tpactors.collectives.recorded-per-phase", recorded);
        return new CollectiveSettings(
            config.GetDuration("tpactors.collectives.round-timeout"),
            config.GetDuration("tpactors.collectives.stall-grace"),
            (int)(chunkBytes / sizeof(float)),
            (int)(bulkChunkBytes / sizeof(float)),
            recorded);
    }

    /// <summary>The defaults of reference.conf.</summary>
    public static CollectiveSettings Default { get; } = FromConfig(ConfigFactory.Reference);
}
