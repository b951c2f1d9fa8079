using TpActors.Layers.Tensors;
using TpActors.Layers.Models;
using TpActors.Layers.Optimizers;
using TpActors.Layers.Checkpoints;
using TpActors.Layers.Training;

namespace TpActors.Host.Checkpoints;

/// <summary>What <c>tpactors checkpoint inspect</c> found in one step directory: its metadata, and whether every file checked out.</summary>
/// <param name="Directory">The step directory.</param>
/// <param name="Metadata">Its metadata, or null when even that could not be read.</param>
/// <param name="Error">Why it failed its checks, or null when every file matched its size and SHA-256 and held the tensors the metadata lists.</param>
/// <param name="WeightsSha256">The digest <c>train</c> prints for these weights (see docs/CHECKPOINTS.md), when the files checked out.</param>
public sealed record StepReport(string Directory, CheckpointMetadata? Metadata, string? Error, string? WeightsSha256)
{
    /// <summary>Whether every check passed.</summary>
    public bool Verified => Error is null;

    /// <summary>Reads and checks the step directory at <paramref name="directory"/>.</summary>
    public static StepReport Of(string directory)
    {
        try
        {
            using var checkpoint = Checkpoint.Load(directory);
            var metadata = checkpoint.Metadata;
            var weights = metadata.Tensors.Where(t => !metadata.OptimizerSpec.IsSlot(t.Name)).Select(t => (t.Name, checkpoint.Full(t.Name)));
            return new StepReport(directory, metadata, null, WeightsDigest.Of(weights));
        }
        catch (Exception e) when (IsUnusable(e))
        {
            return new StepReport(directory, ReadableMetadata(directory), e.Message, null);
        }
    }

    // A step that failed its checks is still shown with what its metadata says, when that much can be read.
    private static CheckpointMetadata? ReadableMetadata(string directory)
    {
        try
        {
            return CheckpointMetadata.Read(Path.Combine(directory, CheckpointDirectory.MetadataFile));
        }
        catch (Exception e) when (IsUnusable(e))
        {
            return null;
        }
    }

    private static bool IsUnusable(Exception e) => e is InvalidDataException or IOException or UnauthorizedAccessException;

    /// <summary>The model in words, e.g. "2 layers, hidden 24, ffn 40, gelu, bias".</summary>
    public string ModelText => Metadata is null ? "?" : Metadata.ModelSpec.Summary;
}
