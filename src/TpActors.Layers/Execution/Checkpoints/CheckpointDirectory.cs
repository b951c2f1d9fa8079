using System.Globalization;

namespace TpActors.Layers.Execution.Checkpoints;

/// <summary>
/// The layout of a checkpoint directory and the steps that keep it consistent. Step s is written into
/// <c>step-0000000s.partial/</c> (each rank's <c>rank-r-of-p.safetensors</c>, then <c>metadata.json</c>), which is renamed to
/// <c>step-0000000s/</c> only when complete; then <c>latest</c> is replaced to name it. Every file goes through
/// <see cref="DurableFile"/>, so a crash at any moment leaves the previous complete step and <c>latest</c> untouched.
/// </summary>
public sealed class CheckpointDirectory(string root, int keep)
{
    /// <summary>The metadata file in a step directory.</summary>
    public const string MetadataFile = "metadata.json";

    /// <summary>The file in the root naming the newest complete step directory.</summary>
    public const string LatestFile = "latest";

    private const string StepPrefix = "step-";
    private const string PartialSuffix = ".partial";

    /// <summary>The checkpoint directory.</summary>
    public string Root { get; } = root;

    /// <summary>Complete checkpoints kept after each new one (older ones are deleted); 0 keeps all.</summary>
    public int Keep { get; } = keep;

    /// <summary>The name of step <paramref name="step"/>'s directory, e.g. "step-00000020".</summary>
    public static string StepDirectoryName(long step) => $"{StepPrefix}{step:D8}";

    /// <summary>The name of rank <paramref name="rank"/>'s file in a checkpoint of <paramref name="tp"/> ranks.</summary>
    public static string RankFileName(int rank, int tp) => $"rank-{rank}-of-{tp}.safetensors";

    /// <summary>The complete directory of step <paramref name="step"/>.</summary>
    public string StepDirectory(long step) => Path.Combine(Root, StepDirectoryName(step));

    /// <summary>
    /// Prepares an empty staging directory for step <paramref name="step"/> and returns it, or null when that step is already
    /// complete on disk (a replayed step writes exactly what is there).
    /// </summary>
    public string? Begin(long step)
    {
        if (File.Exists(Path.Combine(StepDirectory(step), MetadataFile))) return null;
        Directory.CreateDirectory(Root);
        string staging = StepDirectory(step) + PartialSuffix;
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        return staging;
    }

    /// <summary>Completes step <paramref name="step"/>: writes its metadata, renames it into place, points <c>latest</c> at it and prunes.</summary>
    public string Commit(long step, CheckpointMetadata metadata)
    {
        string staging = StepDirectory(step) + PartialSuffix, final = StepDirectory(step);
        DurableFile.WriteText(Path.Combine(staging, MetadataFile), metadata.ToJson());
        DurableFile.SyncDirectory(staging);
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true); // an incomplete leftover without metadata
        Directory.Move(staging, final);
        DurableFile.SyncDirectory(Root);
        DurableFile.WriteText(Path.Combine(Root, LatestFile), StepDirectoryName(step) + "\n");
        Prune();
        return final;
    }

    /// <summary>
    /// The step directory to resume from: <paramref name="path"/> itself when it is one, else the one <c>latest</c> names in
    /// it, else its newest complete step directory.
    /// </summary>
    /// <exception cref="InvalidDataException">There is no complete checkpoint at <paramref name="path"/>.</exception>
    public static string Resolve(string path)
    {
        if (File.Exists(Path.Combine(path, MetadataFile))) return path;
        if (!Directory.Exists(path)) throw new InvalidDataException($"Checkpoint directory {path} does not exist.");
        string latest = Path.Combine(path, LatestFile);
        if (File.Exists(latest))
        {
            string named = Path.Combine(path, File.ReadAllText(latest).Trim());
            if (File.Exists(Path.Combine(named, MetadataFile))) return named;
        }
        var complete = CompleteSteps(path);
        if (complete.Count == 0) throw new InvalidDataException($"{path} holds no complete checkpoint (no {StepPrefix}N directory with a {MetadataFile}).");
        return Path.Combine(path, StepDirectoryName(complete[^1]));
    }

    /// <summary>The steps with a complete directory under <paramref name="root"/>, ascending.</summary>
    public static IReadOnlyList<long> CompleteSteps(string root) =>
        !Directory.Exists(root) ? [] : Directory.GetDirectories(root)
            .Select(Path.GetFileName)
            .Where(name => name!.StartsWith(StepPrefix, StringComparison.Ordinal) && !name.EndsWith(PartialSuffix, StringComparison.Ordinal))
            .Select(name => long.TryParse(name![StepPrefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out long s) ? s : -1)
            .Where(s => s >= 0 && File.Exists(Path.Combine(root, StepDirectoryName(s), MetadataFile)))
            .Order()
            .ToList();

    private void Prune()
    {
        if (Keep <= 0) return;
        var steps = CompleteSteps(Root);
        foreach (long old in steps.Take(Math.Max(0, steps.Count - Keep))) Directory.Delete(StepDirectory(old), recursive: true);
    }
}
