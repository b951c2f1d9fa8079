using TpActors.Layers.Parallel;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Execution.Optimizers;

/// <summary>
/// An element-wise update rule over a rank's parameter shards, with its state (momentum, moments) sharded exactly like the
/// parameters: each state tensor has its parameter's shape and axis, so a rank updates its shards with no communication and
/// a replicated parameter, whose gradient is identical everywhere, stays identical everywhere.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly Tensor[][] _slots; // [parameter][slot], same shape as the parameter, zero at the start

    /// <summary>State with <see cref="OptimizerSpec.SlotNames"/> tensors per parameter, all zero.</summary>
    protected Optimizer(IReadOnlyList<ParameterShard> parameters, OptimizerSpec spec)
    {
        spec.Validate();
        Parameters = parameters;
        Spec = spec;
        SlotNames = spec.SlotNames;
        _slots = parameters.Select(p => SlotNames.Select(_ => Zeroed(p.Value)).ToArray()).ToArray();
    }

    /// <summary>The shards this optimizer updates.</summary>
    public IReadOnlyList<ParameterShard> Parameters { get; }

    /// <summary>The hyperparameters.</summary>
    public OptimizerSpec Spec { get; }

    /// <summary>The state tensors kept per parameter, by the names PyTorch gives them ("momentum_buffer"; "exp_avg", "exp_avg_sq").</summary>
    public IReadOnlyList<string> SlotNames { get; }

    /// <summary>State tensor <paramref name="slot"/> of parameter <paramref name="parameter"/>.</summary>
    public Tensor Slot(int parameter, int slot) => _slots[parameter][slot];

    /// <summary>Applies update number <paramref name="step"/> (from 1) to every parameter from its accumulated gradient.</summary>
    public void Step(long step)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Optimizer steps count from 1.");
        for (int i = 0; i < Parameters.Count; i++) Update(Parameters[i].Value.Span, Parameters[i].Gradient.Span, _slots[i], step);
    }

    /// <summary>Updates one parameter's values <paramref name="w"/> in place from gradient <paramref name="g"/> and its state.</summary>
    protected abstract void Update(Span<float> w, ReadOnlySpan<float> g, Tensor[] slots, long step);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var slots in _slots)
            foreach (var slot in slots) slot.Dispose();
        GC.SuppressFinalize(this);
    }

    private static Tensor Zeroed(Tensor like)
    {
        var zero = like.EmptyLike();
        zero.Span.Clear();
        return zero;
    }
}
