using System.Globalization;
using TpActors.Layers.Models;
using TpActors.Layers.Data;
using TpActors.Layers.Optimizers;

namespace TpActors.Layers.Checkpoints;

/// <summary>
/// The layout of a checkpoint directory and the steps that keep it consistent. Step s is written into
/// <c>step-0000000s.partial/</c> (each rank's <c>rank-r-of-p.safetensors</c>, then <c>metadata.json</c>), which is renamed to
/// <c>step-0000000s/</c> only when complete; then <c>latest</c> is replaced to name it. Every file goes through
/// <see cref="DurableFile"/>, so a crash at any moment leaves the previous complete step and <c>latest</c> untouched.
/// </summary>
/// <remarks>
/// A directory belongs to one run (model, task and optimizer, seed included): <see cref="Open"/> refuses a directory whose
/// checkpoints are another run's, and holds an exclusive <see cref="DirectoryLock"/> on it until disposed, so two processes
/// never write into one directory.
/// </remarks>
public sealed class CheckpointDirectory : IDisposable
{
    private readonly DirectoryLock _lock;

    private CheckpointDirectory(string root, int keep, DirectoryLock directoryLock)
    {
        Root = root;
        Keep = keep;
        _lock = directoryLock;
    }

    /// <summary>The metadata file in a step directory.</summary>
    public const string MetadataFile = "metadata.json";

    /// <summary>The file in the root naming the newest complete step directory.</summary>
    public const string LatestFile = "latest";

    private const string StepPrefix = "step-";
    private const string PartialSuffix = ".partial";
    private const string ReplacedSuffix = ".replaced";

    /// <summary>The checkpoint directory.</summary>
    public string Root { get; }

    /// <summary>Complete checkpoints kept after each new one (older ones are deleted); 0 keeps all.</summary>
    public int Keep { get; }

    /// <summary>
    /// Opens <paramref name="root"/> for writing the checkpoints of one run, before its first step: creates it, takes its lock
    /// (which also proves it writable), refuses it when it holds another run's checkpoints, and removes staging directories
    /// that a killed process left behind.
    /// </summary>
    /// <exception cref="IOException">It cannot be created or written, or another process is using it.</exception>
    /// <exception cref="InvalidDataException">It holds checkpoints of another run (the message names each difference), or unreadable ones.</exception>
    public static CheckpointDirectory Open(string root, int keep, ModelSpec model, TaskSpec task, OptimizerSpec optimizer)
    {
        var info = new FileInfo(root);
        if (info.LinkTarget is { } target)
        {
            try
            {
                info.ResolveLinkTarget(returnFinalTarget: true);
            }
            catch (IOException e)
            {
                throw new IOException($"Checkpoint directory {root} is a symbolic link that does not resolve ({root} -> {target}): {e.Message}", e);
            }
        }
        if (File.Exists(root)) throw new IOException($"Checkpoint directory {root} is a file, not a directory.");
        try
        {
            Directory.CreateDirectory(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot create checkpoint directory {root}: {e.Message}", e);
        }
        var directoryLock = DirectoryLock.Acquire(root, "checkpoint directory");
        try
        {
            foreach (long step in CompleteSteps(root))
            {
                CheckpointMetadata metadata;
                try
                {
                    metadata = CheckpointMetadata.Read(Path.Combine(root, StepDirectoryName(step), MetadataFile));
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"Checkpoint directory {root}, which this run writes its steps into, holds a step it cannot read ({e.Message}). " +
                        "Move that step away, or choose another --checkpoint-dir.", e);
                }
                var differences = metadata.Differences(model, task, optimizer);
                if (differences.Count > 0)
                    throw new InvalidDataException($"Checkpoint directory {root} holds another run's checkpoints ({StepDirectoryName(step)}: {string.Join("; ", differences)}); " +
                        "writing this run's steps beside them would mix the two. Choose another --checkpoint-dir, or resume that run.");
            }
            foreach (string partial in Directory.GetDirectories(root, StepPrefix + "*" + PartialSuffix)) Directory.Delete(partial, recursive: true);
            return new CheckpointDirectory(root, keep, directoryLock);
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>Releases the directory's lock.</summary>
    public void Dispose() => _lock.Dispose();

    /// <summary>The name of step <paramref name="step"/>'s directory, e.g. "step-00000020".</summary>
    public static string StepDirectoryName(long step) => $"{StepPrefix}{step:D8}";

    /// <summary>The name of rank <paramref name="rank"/>'s file in a checkpoint of <paramref name="tp"/> ranks.</summary>
    public static string RankFileName(int rank, int tp) => $"rank-{rank}-of-{tp}.safetensors";

    /// <summary>The complete directory of step <paramref name="step"/>.</summary>
    public string StepDirectory(long step) => Path.Combine(Root, StepDirectoryName(step));

    /// <summary>Prepares an empty staging directory for step <paramref name="step"/> and returns it.</summary>
    public string Begin(long step)
    {
        string staging = Staging(step);
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        return staging;
    }

    /// <summary>
    /// Completes step <paramref name="step"/>: writes its metadata, renames it into place (replacing a directory of that
    /// step that an earlier process of this run wrote), points <c>latest</c> at it and prunes.
    /// </summary>
    public string Commit(long step, CheckpointMetadata metadata)
    {
        string staging = Staging(step), final = StepDirectory(step), replaced = final + ReplacedSuffix;
        DurableFile.WriteText(Path.Combine(staging, MetadataFile), metadata.ToJson());
        DurableFile.SyncDirectory(staging);
        if (Directory.Exists(replaced)) Directory.Delete(replaced, recursive: true);
        // The old directory moves aside before the new one moves in, so at every moment one complete copy has the name or
        // sits beside it; only then is the old one deleted.
        if (Directory.Exists(final)) Directory.Move(final, replaced);
        Directory.Move(staging, final);
        DurableFile.SyncDirectory(Root);
        DurableFile.WriteText(Path.Combine(Root, LatestFile), StepDirectoryName(step) + "\n");
        if (Directory.Exists(replaced)) Directory.Delete(replaced, recursive: true);
        Prune(step);
        return final;
    }

    /// <summary>Deletes step <paramref name="step"/>'s staging directory after a failed write (best effort: the write already failed).</summary>
    public void Abandon(long step)
    {
        try
        {
            if (Directory.Exists(Staging(step))) Directory.Delete(Staging(step), recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more can be done here; Open removes it the next time.
        }
    }

    private string Staging(long step) => StepDirectory(step) + PartialSuffix;

    /// <summary>
    /// The step directory to resume from: <paramref name="path"/> itself when it is one, else the one <c>latest</c> names in
    /// it, else (no <c>latest</c>) its newest complete step directory.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// There is no complete checkpoint at <paramref name="path"/>, or its <c>latest</c> cannot be read or does not name a
    /// complete step directory inside it (a <c>latest</c> that is wrong is never passed over for another step).
    /// </exception>
    public static string Resolve(string path)
    {
        if (File.Exists(path))
            throw new InvalidDataException($"{path} is a file; a checkpoint is a directory (a checkpoint directory, or one of its {StepPrefix}N directories).");
        if (File.Exists(Path.Combine(path, MetadataFile))) return path;
        if (!Directory.Exists(path)) throw new InvalidDataException($"Checkpoint directory {path} does not exist.");
        string latest = Path.Combine(path, LatestFile);
        var info = new FileInfo(latest);
        if (info.Exists || info.LinkTarget is not null)
        {
            string name = BoundedFile.ReadText(latest, 256, "it should hold one step directory's name").Trim();
            if (!IsStepDirectoryName(name))
                throw new InvalidDataException($"{latest} names {Excerpt(name)}, which is not a step directory ({StepPrefix}NNNNNNNN) inside {path}.");
            string named = Path.Combine(path, name);
            if (!File.Exists(Path.Combine(named, MetadataFile)))
                throw new InvalidDataException($"{latest} names {name}, which is not a complete checkpoint in {path} (no {MetadataFile}); " +
                    $"resume from one of its step directories instead ({Listing(path)}).");
            return named;
        }
        var complete = CompleteSteps(path);
        if (complete.Count == 0) throw new InvalidDataException($"{path} holds no complete checkpoint (no {StepPrefix}N directory with a {MetadataFile}).");
        return Path.Combine(path, StepDirectoryName(complete[^1]));
    }

    /// <summary>Whether <paramref name="name"/> is a step directory's name, e.g. "step-00000020".</summary>
    public static bool IsStepDirectoryName(string name) => TryParseStep(name, out _);

    /// <summary>The step a step directory's name gives ("step-00000020" → 20); names such as "step-1.partial", "step-x" or "../step-1" give none.</summary>
    public static bool TryParseStep(string? name, out long step)
    {
        step = -1;
        return name is not null && name.StartsWith(StepPrefix, StringComparison.Ordinal)
            && long.TryParse(name.AsSpan(StepPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out step);
    }

    private static string Excerpt(string text) => text.Length == 0 ? "nothing" : "'" + (text.Length > 60 ? text[..60] + "…" : text) + "'";

    private static string Listing(string root)
    {
        var steps = CompleteSteps(root);
        return steps.Count == 0 ? "it has none" : string.Join(", ", steps.Select(StepDirectoryName));
    }

    /// <summary>The steps with a complete directory under <paramref name="root"/>, ascending.</summary>
    public static IReadOnlyList<long> CompleteSteps(string root) =>
        !Directory.Exists(root) ? [] : Directory.GetDirectories(root)
            .Select(Path.GetFileName)
            .Select(name => TryParseStep(name, out long s) ? s : -1)
            .Where(s => s >= 0 && File.Exists(Path.Combine(root, StepDirectoryName(s), MetadataFile)))
            .Order()
            .ToList();

    // Keeps the newest Keep steps up to the one just written, which is what latest names. Steps after it (an earlier process
    // of this run got further before the run was resumed from an older step) stay until this run writes them again.
    private void Prune(long written)
    {
        if (Keep <= 0) return;
        var steps = CompleteSteps(Root).Where(s => s <= written).ToList();
        foreach (long old in steps.Take(Math.Max(0, steps.Count - Keep))) Directory.Delete(StepDirectory(old), recursive: true);
    }
}
