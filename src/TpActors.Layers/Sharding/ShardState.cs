using TpActors.Layers.Tensors;

namespace TpActors.Layers.Sharding;

/// <summary>One named tensor of a rank's training state: a parameter shard or one of its optimizer state tensors.</summary>
/// <param name="Name">"blocks.0.fc1.weight", or with the optimizer slot appended: "blocks.0.fc1.weight.exp_avg".</param>
/// <param name="Axis">How the full tensor is split over ranks (an optimizer slot is split like its parameter).</param>
/// <param name="Value">This rank's shard.</param>
public sealed record ShardTensor(string Name, ShardAxis Axis, Tensor Value);

/// <summary>The name, split and shape of one tensor of a <see cref="ShardState"/>, without its values: what a copy's receiver allocates.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="Axis">How the full tensor is split over ranks.</param>
/// <param name="Rank">1 (a vector) or 2.</param>
/// <param name="Rows">Rows (1 for a vector).</param>
/// <param name="Cols">Columns (a vector's length).</param>
public sealed record ShardTensorLayout(string Name, ShardAxis Axis, int Rank, int Rows, int Cols)
{
    /// <summary>Bytes of its values.</summary>
    public long Bytes => (long)Rows * Cols * sizeof(float);

    /// <summary>The layout of <paramref name="tensor"/>.</summary>
    public static ShardTensorLayout Of(ShardTensor tensor) => new(tensor.Name, tensor.Axis, tensor.Value.Rank, tensor.Value.Rows, tensor.Value.Cols);

    /// <summary>Whether <paramref name="tensor"/> has this name and shape.</summary>
    public bool Fits(ShardTensor tensor) => tensor.Name == Name && tensor.Value.Rank == Rank && tensor.Value.Rows == Rows && tensor.Value.Cols == Cols;
}

/// <summary>
/// A rank's whole training state at one step: every parameter shard and optimizer state tensor, in model order. Used for
/// in-memory snapshots, checkpoint files and resharding. It owns its tensors.
/// </summary>
public sealed class ShardState(long step, IReadOnlyList<ShardTensor> tensors) : IDisposable
{
    /// <summary>The step after which the state was taken (0: before any step).</summary>
    public long Step { get; set; } = step;

    /// <summary>The tensors, in model order.</summary>
    public IReadOnlyList<ShardTensor> Tensors { get; } = tensors;

    /// <summary>Total bytes of tensor data.</summary>
    public long Bytes => Tensors.Sum(t => (long)t.Value.Length * sizeof(float));

    /// <summary>Whether this state has exactly the names and shapes of <paramref name="other"/> (so one can be copied into the other).</summary>
    public bool SameLayout(IReadOnlyList<ShardTensor> other) =>
        Tensors.Count == other.Count && Tensors.Zip(other).All(p => p.First.Name == p.Second.Name && p.First.Value.ShapeText == p.Second.Value.ShapeText);

    /// <summary>The names, splits and shapes of its tensors, in order.</summary>
    public IReadOnlyList<ShardTensorLayout> Layout => Tensors.Select(ShardTensorLayout.Of).ToList();

    /// <summary>Whether this state has exactly <paramref name="layout"/>'s tensors, so it can be written over with a state of that layout.</summary>
    public bool Fits(IReadOnlyList<ShardTensorLayout> layout) => Tensors.Count == layout.Count && Tensors.Zip(layout).All(p => p.Second.Fits(p.First));

    /// <summary>A state of <paramref name="layout"/> whose values are yet to be written.</summary>
    public static ShardState Allocate(long step, IReadOnlyList<ShardTensorLayout> layout) => new(step, layout.Select(l =>
        new ShardTensor(l.Name, l.Axis, Tensor.Uninitialized(l.Rank, l.Rows, l.Cols))).ToList());

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    public ShardTensor this[string name] => Tensors.FirstOrDefault(t => t.Name == name)
        ?? throw new KeyNotFoundException($"The state has no tensor '{name}'.");

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var tensor in Tensors) tensor.Value.Dispose();
    }
}
