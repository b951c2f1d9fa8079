using System.Security.Cryptography;
using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Checkpoints;

/// <summary>
/// A checkpoint read back and checked, held as full (gathered) tensors so it can be cut for any TP size: a run saved at
/// TP=N resumes at TP=M with the same full weights and optimizer state.
/// </summary>
public sealed class Checkpoint : IDisposable
{
    private readonly Dictionary<string, Tensor> _full;

    private Checkpoint(string directory, CheckpointMetadata metadata, Dictionary<string, Tensor> full)
    {
        Directory = directory;
        Metadata = metadata;
        _full = full;
    }

    /// <summary>The step directory it was read from.</summary>
    public string Directory { get; }

    /// <summary>What it holds.</summary>
    public CheckpointMetadata Metadata { get; }

    /// <summary>The full tensor named <paramref name="name"/> (a parameter, or a parameter's optimizer slot).</summary>
    public Tensor Full(string name) => _full.TryGetValue(name, out var tensor) ? tensor : throw new KeyNotFoundException($"The checkpoint has no tensor '{name}'.");

    /// <summary>
    /// Reads the checkpoint at <paramref name="path"/> (a step directory, or a checkpoint directory: its latest step) and
    /// checks every file against the metadata: present, the recorded size and SHA-256, a valid safetensors file, and the
    /// tensor names and shard shapes the metadata implies.
    /// </summary>
    /// <exception cref="InvalidDataException">Something is missing, truncated, tampered with or inconsistent; the message says what.</exception>
    public static Checkpoint Load(string path)
    {
        string directory = CheckpointDirectory.Resolve(path);
        var metadata = CheckpointMetadata.Read(Path.Combine(directory, CheckpointDirectory.MetadataFile));
        if (CheckpointDirectory.TryParseStep(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)), out long named) && named != metadata.Step)
            throw new InvalidDataException($"{directory}: the metadata says step {metadata.Step}, the directory's name says step {named}.");
        if (metadata.Files.Count != metadata.Tp || metadata.Files.Select(f => f.Rank).Order().Where((r, i) => r != i).Any())
            throw new InvalidDataException($"{directory}: the metadata lists {metadata.Files.Count} files for tp {metadata.Tp}; expected one per rank 0…{metadata.Tp - 1}.");
        var shards = new List<IReadOnlyList<(string Name, Tensor Value)>>();
        try
        {
            foreach (var file in metadata.Files.OrderBy(f => f.Rank)) shards.Add(ReadRankFile(directory, metadata, file));
            var full = new Dictionary<string, Tensor>();
            foreach (var tensor in metadata.Tensors)
                full[tensor.Name] = ShardAssembly.Assemble(shards.Select(s => s.First(t => t.Name == tensor.Name).Value).ToList(), tensor.ShardAxis);
            return new Checkpoint(directory, metadata, full);
        }
        finally
        {
            foreach (var shard in shards)
                foreach (var (_, value) in shard) value.Dispose();
        }
    }

    /// <summary>Rank <paramref name="rank"/>'s state for a group of <paramref name="tp"/> ranks, cut from the full tensors.</summary>
    public ShardState Cut(int tp, int rank)
    {
        var tensors = Metadata.Tensors.Select(t => new ShardTensor(t.Name, t.ShardAxis, CutShard(Full(t.Name), t.ShardAxis, tp, rank, Metadata.ModelSpec.ShardUnit(t.Name)))).ToList();
        return new ShardState(Metadata.Step, tensors);
    }

    /// <summary>
    /// The block of <paramref name="full"/> that rank <paramref name="rank"/> of <paramref name="tp"/> holds, as a new tensor:
    /// its balanced share of the axis in whole blocks of <paramref name="unit"/> (a head's width for attention split by heads).
    /// </summary>
    public static Tensor CutShard(Tensor full, ShardAxis axis, int tp, int rank, int unit = 1)
    {
        if (axis == ShardAxis.Replicated) return full.Clone();
        var (start, size) = Block(axis == ShardAxis.Columns ? full.Cols : full.Rows, tp, rank, unit);
        return (axis == ShardAxis.Columns ? full.ColumnBlock(start, size) : full.RowBlock(start, size)).Clone();
    }

    // Where rank `rank`'s share of `length` starts and how long it is, in whole blocks of `unit`.
    private static (int Start, int Size) Block(int length, int tp, int rank, int unit)
    {
        if (unit < 1 || length % unit != 0) throw new InvalidDataException($"A length of {length} does not split into blocks of {unit}.");
        return (Partition.Start(length / unit, tp, rank) * unit, Partition.Size(length / unit, tp, rank) * unit);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var tensor in _full.Values) tensor.Dispose();
        _full.Clear();
    }

    private static IReadOnlyList<(string Name, Tensor Value)> ReadRankFile(string directory, CheckpointMetadata metadata, CheckpointFile file)
    {
        string path = Path.Combine(directory, file.Name);
        if (Path.GetFileName(file.Name) != file.Name) throw new InvalidDataException($"{directory}: rank {file.Rank}'s file name '{file.Name}' is not a plain file name.");
        if (!File.Exists(path)) throw new InvalidDataException($"{directory}: rank {file.Rank}'s file {file.Name} is missing.");
        long length = new FileInfo(path).Length;
        if (length != file.Bytes)
            throw new InvalidDataException($"{path}: {length} bytes, but the metadata recorded {file.Bytes} ({(length < file.Bytes ? "truncated" : "extra bytes")}).");
        string sha;
        using (var stream = File.OpenRead(path)) sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (!string.Equals(sha, file.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"{path}: SHA-256 {sha} does not match the {file.Sha256} recorded in the metadata (the file was changed after it was written).");

        var (fileMetadata, tensors) = SafeTensorsFile.Read(path);
        try
        {
            // The header written with the file and the metadata written after it must tell the same story.
            foreach (var (key, expected) in new[] { ("rank", (long)file.Rank), ("step", metadata.Step), ("tp", metadata.Tp) })
                if (!fileMetadata.TryGetValue(key, out var text) || text != expected.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    throw new InvalidDataException($"{path}: the file's header says {key} {(text is null ? "nothing" : $"'{text}'")}; the metadata says {key} {expected}.");
            var names = tensors.Select(t => t.Name).ToHashSet();
            foreach (var expected in metadata.Tensors)
            {
                var found = tensors.FirstOrDefault(t => t.Name == expected.Name);
                if (found.Value is null) throw new InvalidDataException($"{path}: tensor '{expected.Name}' is missing.");
                string shardShape = ShardShape(expected, metadata.Tp, file.Rank, metadata.ModelSpec.ShardUnit(expected.Name));
                if (found.Value.ShapeText != shardShape)
                    throw new InvalidDataException($"{path}: tensor '{expected.Name}' is {found.Value.ShapeText}; rank {file.Rank} of {metadata.Tp} should hold {shardShape} of the full [{string.Join(", ", expected.Shape)}] split by {expected.Axis}.");
                if (FirstNonFinite(found.Value) is { } bad)
                    throw new InvalidDataException($"{path}: step {metadata.Step}: tensor '{expected.Name}' holds {bad.Value} at {bad.Index}; a checkpoint holds finite " +
                        "numbers only (the run that wrote it diverged, or the file was edited), so this step cannot be resumed or trusted.");
                names.Remove(expected.Name);
            }
            if (names.Count > 0) throw new InvalidDataException($"{path}: tensors the metadata does not list: {string.Join(", ", names)}.");
            return tensors;
        }
        catch
        {
            foreach (var (_, value) in tensors) value.Dispose();
            throw;
        }
    }

    // The first NaN or infinity in a tensor read from a file, with where it is ("[row, col]" or "[i]"), or null when every number is finite.
    private static (string Value, string Index)? FirstNonFinite(Tensor tensor)
    {
        for (int row = 0; row < tensor.Rows; row++)
        {
            var values = tensor.Row(row);
            for (int col = 0; col < values.Length; col++)
            {
                float value = values[col];
                if (float.IsFinite(value)) continue;
                return (float.IsNaN(value) ? "NaN" : value > 0 ? "+Inf" : "-Inf", tensor.Rank == 1 ? $"[{col}]" : $"[{row}, {col}]");
            }
        }
        return null;
    }

    private static string ShardShape(CheckpointTensor tensor, int tp, int rank, int unit)
    {
        if (tensor.Shape.Length is < 1 or > 2 || tensor.Shape.Any(d => d < 0))
            throw new InvalidDataException($"Tensor '{tensor.Name}' has shape [{string.Join(", ", tensor.Shape)}]; expected 1 or 2 non-negative dimensions.");
        int rows = tensor.Shape.Length == 1 ? 1 : tensor.Shape[0], cols = tensor.Shape[^1];
        switch (tensor.ShardAxis)
        {
            case ShardAxis.Columns: cols = Block(cols, tp, rank, unit).Size; break;
            case ShardAxis.Rows: rows = Block(rows, tp, rank, unit).Size; break;
        }
        return tensor.Shape.Length == 1 ? $"[{cols}]" : $"[{rows}, {cols}]";
    }
}
