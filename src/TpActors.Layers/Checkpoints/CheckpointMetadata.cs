using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;
using TpActors.Layers.Models;
using TpActors.Layers.Data;
using TpActors.Layers.Optimizers;

namespace TpActors.Layers.Checkpoints;

/// <summary>
/// <c>metadata.json</c> of a checkpoint: what was trained (model, task, optimizer), at which step and TP size, how each
/// tensor is split, and the size and SHA-256 of every rank's file, so a tampered or truncated file is caught before use.
/// </summary>
public sealed record CheckpointMetadata(
    string Format, int Version, long Step, int Tp,
    ModelSpec Model, CheckpointTask Task, CheckpointOptimizer Optimizer,
    IReadOnlyList<CheckpointTensor> Tensors, IReadOnlyList<CheckpointFile> Files)
{
    /// <summary>The value of <see cref="Format"/> in every TpActors checkpoint.</summary>
    public const string FormatName = "tpactors-checkpoint";

    /// <summary>
    /// The layout version this code writes. Version 1 is read too: it wrote "gelu" for the tanh form, which version 2 calls
    /// "gelu-tanh" ("gelu" is now the erf form, as PyTorch's).
    /// </summary>
    public const int CurrentVersion = 2;

    /// <summary>The largest metadata.json read (a model with a million tensors needs a fraction of it).</summary>
    public const int MaxMetadataBytes = 64 << 20;

    private static readonly JsonSerializerOptions JsonTemplate = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    // With the model kinds registered now (see ModelSpecJson).
    private static JsonSerializerOptions Json => ModelSpecJson.Options(JsonTemplate);

    /// <summary>The metadata of a run about to write step <paramref name="step"/>.</summary>
    public static CheckpointMetadata Describe(long step, int tp, ModelSpec model, TaskSpec task, OptimizerSpec optimizer,
        IReadOnlyList<CheckpointTensor> tensors, IReadOnlyList<CheckpointFile> files) =>
        new(FormatName, CurrentVersion, step, tp,
            model,
            new CheckpointTask(task.Batch, task.Seed, task.TeacherWidth),
            new CheckpointOptimizer(optimizer.Name, optimizer.LearningRate, optimizer.Momentum, optimizer.Beta1, optimizer.Beta2, optimizer.Epsilon, optimizer.WeightDecay,
                optimizer.WarmupSteps, optimizer.DecaySteps, optimizer.MinLearningRate, optimizer.GradientClip),
            tensors, files);

    /// <summary>The model this checkpoint holds, in today's terms (see <see cref="ModelSpec.FromVersion"/>).</summary>
    [JsonIgnore]
    public ModelSpec ModelSpec => Model.FromVersion(Version);

    /// <summary>The task it was trained on.</summary>
    [JsonIgnore]
    public TaskSpec TaskSpec => new(Task.Batch, Task.Seed, Task.TeacherWidth);

    /// <summary>The optimizer it was trained with.</summary>
    [JsonIgnore]
    public OptimizerSpec OptimizerSpec => new(OptimizerSpec.ParseKind(Optimizer.Name), Optimizer.LearningRate, Optimizer.Momentum,
        Optimizer.Beta1, Optimizer.Beta2, Optimizer.Epsilon, Optimizer.WeightDecay)
    {
        WarmupSteps = Optimizer.WarmupSteps, DecaySteps = Optimizer.DecaySteps, MinLearningRate = Optimizer.MinLearningRate, GradientClip = Optimizer.GradientClip,
    };

    /// <summary>The metadata as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads and checks <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">
    /// Not JSON (the message gives file:line:column), not a TpActors checkpoint, another version, or fields missing, of the
    /// wrong kind or out of range; the message names the file and the field.
    /// </exception>
    public static CheckpointMetadata Read(string path)
    {
        CheckpointMetadata? metadata;
        try
        {
            string text = BoundedFile.ReadText(path, MaxMetadataBytes, "checkpoint metadata is far smaller");
            metadata = JsonSerializer.Deserialize<CheckpointMetadata>(ModelSpecJson.WithDefaultKind(text, "model"), Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{e.LineNumber + 1}:{e.BytePositionInLine + 1}: {JsonProblem(e)}; it is not valid checkpoint metadata.");
        }
        if (metadata is null || metadata.Format != FormatName)
            throw new InvalidDataException($"{path} is not TpActors checkpoint metadata (format '{metadata?.Format}', expected '{FormatName}').");
        if (metadata.Version is < 1 or > CurrentVersion)
            throw new InvalidDataException($"{path} has checkpoint layout version {metadata.Version}; this TpActors reads versions 1 to {CurrentVersion}.");
        if (metadata.Model is null || metadata.Task is null || metadata.Optimizer is null || metadata.Tensors is null || metadata.Files is null)
            throw new InvalidDataException($"{path} lacks one of model, task, optimizer, tensors, files.");
        if (metadata.Tp < 1 || metadata.Step < 0)
            throw new InvalidDataException($"{path} has tp {metadata.Tp} and step {metadata.Step}; tp must be at least 1 and step at least 0.");
        if (metadata.Tensors.Any(t => t is null || t.Name is null || t.Shape is null) || metadata.Files.Any(f => f is null || f.Name is null || f.Sha256 is null))
            throw new InvalidDataException($"{path} lists a tensor without a name or shape, or a file without a name or sha256.");
        try
        {
            metadata.ModelSpec.Validate();
            metadata.TaskSpec.Validate();
            metadata.OptimizerSpec.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}");
        }
        foreach (var tensor in metadata.Tensors)
        {
            long elements = tensor.Shape.Aggregate(1L, (product, d) => d < 0 ? -1 : product * d);
            if (tensor.Shape.Length is < 1 or > 2 || elements < 0 || elements > MemoryBudget.MaxElements)
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                    $"{path}: tensor '{tensor.Name}' has shape [{string.Join(", ", tensor.Shape)}]; a tensor has 1 or 2 non-negative dimensions and at most {MemoryBudget.MaxElements:N0} elements."));
            if (tensor.Shape.Length == 2 && metadata.ModelSpec.WeightShape(tensor.Name) is { } implied && !implied.SequenceEqual(tensor.Shape))
                throw new InvalidDataException($"{path}: tensor '{tensor.Name}' has shape [{string.Join(", ", tensor.Shape)}], but the model it describes ({metadata.Model.Widths}) " +
                    $"makes it [{string.Join(", ", implied)}].");
        }
        return metadata;
    }

    // What System.Text.Json found, in the words of this file's fields, without .NET type names.
    private static string JsonProblem(JsonException e)
    {
        string field = e.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : "";
        if (e.Message.Contains("could not be converted", StringComparison.Ordinal))
            return field.Length > 0 ? $"'{field}' must be {KindOf(field)}" : "the document must be a JSON object";
        string message = e.Message;
        foreach (string cut in new[] { " Path: ", " LineNumber: " })
            if (message.IndexOf(cut, StringComparison.Ordinal) is > 0 and var at) message = message[..at];
        return field.Length > 0 ? $"at '{field}': {message.TrimEnd('.', ' ')}" : message.TrimEnd('.', ' ');
    }

    // What a field of the metadata holds, in words, found by its JSON name among the records' properties.
    private static string KindOf(string field)
    {
        string name = field.Split('.', '[')[^1].TrimEnd(']');
        if (name.Length == 0 || char.IsDigit(name[0])) name = field.Split('.')[^1].Split('[')[0];
        var type = new[] { typeof(CheckpointMetadata), typeof(CheckpointTask), typeof(CheckpointOptimizer), typeof(CheckpointTensor), typeof(CheckpointFile) }.Concat(ModelKinds.Types)
            .SelectMany(t => t.GetProperties()).FirstOrDefault(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == name)?.PropertyType;
        if (field.EndsWith(']') && type is { IsArray: true }) type = type.GetElementType();
        return type switch
        {
            _ when type == typeof(int) => "a whole number from -2147483648 to 2147483647",
            _ when type == typeof(long) => "a whole number from -9223372036854775808 to 9223372036854775807",
            _ when type == typeof(float) => "a number within float32's range",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(string) => "a string",
            _ when type == typeof(int[]) => "a list of whole numbers",
            { IsGenericType: true } => "a list",
            null => "another kind of value",
            _ => "an object",
        };
    }

    /// <summary>
    /// What differs between this checkpoint and a run of <paramref name="model"/>, <paramref name="task"/> and
    /// <paramref name="optimizer"/>, one line per field (empty when the run can continue from it bit for bit).
    /// </summary>
    public IReadOnlyList<string> Differences(ModelSpec model, TaskSpec task, OptimizerSpec optimizer)
    {
        var differences = new List<string>();
        void Compare<T>(string what, T saved, T run)
        {
            if (!EqualityComparer<T>.Default.Equals(saved, run)) differences.Add($"{what}: the checkpoint has {saved}, the run asks for {run}");
        }
        var (m, t, o) = (ModelSpec, TaskSpec, OptimizerSpec);
        var runFields = ModelSpecJson.Fields(model).ToDictionary(f => f.Name, f => f.Value.ToString());
        foreach (var (name, value) in ModelSpecJson.Fields(m))
            Compare(name == "kind" ? "model" : name.Replace('_', ' '), value.ToString(), runFields.GetValueOrDefault(name, "none"));
        Compare("batch", t.Batch, task.Batch);
        Compare("seed", t.Seed, task.Seed);
        Compare("teacher width", t.TeacherWidth, task.TeacherWidth);
        Compare("optimizer", o.Name, optimizer.Name);
        Compare("learning rate", o.LearningRate, optimizer.LearningRate);
        Compare("weight decay", o.WeightDecay, optimizer.WeightDecay);
        Compare("warm-up steps", o.WarmupSteps, optimizer.WarmupSteps);
        Compare("lr decay steps", o.DecaySteps, optimizer.DecaySteps);
        Compare("min lr", o.MinLearningRate, optimizer.MinLearningRate);
        Compare("gradient clip", o.GradientClip, optimizer.GradientClip);
        if (o.Kind == OptimizerKind.Sgd && optimizer.Kind == OptimizerKind.Sgd) Compare("momentum", o.Momentum, optimizer.Momentum);
        if (o.Kind == OptimizerKind.AdamW && optimizer.Kind == OptimizerKind.AdamW)
        {
            Compare("beta1", o.Beta1, optimizer.Beta1);
            Compare("beta2", o.Beta2, optimizer.Beta2);
            Compare("epsilon", o.Epsilon, optimizer.Epsilon);
        }
        return differences;
    }
}

/// <summary>The task section of <see cref="CheckpointMetadata"/>.</summary>
public sealed record CheckpointTask(int Batch, long Seed, int TeacherWidth);

/// <summary>The optimizer section of <see cref="CheckpointMetadata"/>.</summary>
public sealed record CheckpointOptimizer(string Name, float LearningRate, float Momentum, float Beta1, float Beta2, float Epsilon, float WeightDecay,
    long WarmupSteps = 0, long DecaySteps = 0, float MinLearningRate = 0, float GradientClip = 0);

/// <summary>
/// One tensor of the training state: its name, how it is split over ranks ("columns", "rows" or "replicated"), its full
/// shape, and the dimension the rank files' shards are concatenated along (<c>torch.cat(shards, dim=split_dim)</c>; null
/// when every rank holds the whole tensor).
/// </summary>
public sealed record CheckpointTensor(string Name, string Axis, int[] Shape)
{
    /// <summary>The dimension of <see cref="Shape"/> the tensor is split along: the last for columns, 0 for rows, none when replicated.</summary>
    public int? SplitDim => ShardAxis switch
    {
        ShardAxis.Columns => Shape.Length - 1,
        ShardAxis.Rows => 0,
        _ => null,
    };

    /// <summary>The axis as a <see cref="ShardAxis"/>.</summary>
    [JsonIgnore]
    public ShardAxis ShardAxis => Axis switch
    {
        "columns" => ShardAxis.Columns,
        "rows" => ShardAxis.Rows,
        "replicated" => ShardAxis.Replicated,
        _ => throw new InvalidDataException($"Tensor '{Name}' has axis '{Axis}'; expected columns, rows or replicated."),
    };

    /// <summary>How <paramref name="axis"/> is written.</summary>
    public static string AxisName(ShardAxis axis) => axis.ToString().ToLowerInvariant();
}

/// <summary>One rank's file: its name, size in bytes and SHA-256.</summary>
public sealed record CheckpointFile(int Rank, string Name, long Bytes, string Sha256);
