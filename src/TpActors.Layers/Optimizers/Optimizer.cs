using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Optimizers;

/// <summary>
/// An element-wise update rule over a rank's parameter shards, with its state (momentum, moments) sharded exactly like the
/// parameters: each state tensor has its parameter's shape and axis, so a rank updates its shards with no communication and
/// a replicated parameter, whose gradient is identical everywhere, stays identical everywhere. The update itself is one
/// fused op of the rank's backend.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly Tensor[][] _slots; // [parameter][slot], same shape as the parameter, zero at the start
    private readonly bool[] _decays;    // [parameter]: whether weight decay applies

    /// <summary>
    /// State with <see cref="OptimizerSpec.SlotNames"/> tensors per parameter, all zero, on <paramref name="backend"/>; weight
    /// decay applies to the parameters <paramref name="decays"/> picks by name (all when null).
    /// </summary>
    protected Optimizer(IBackend backend, IReadOnlyList<ParameterShard> parameters, OptimizerSpec spec, Func<string, bool>? decays = null)
    {
        spec.Validate();
        Backend = backend;
        Parameters = parameters;
        Spec = spec;
        SlotNames = spec.SlotNames;
        _slots = parameters.Select(p => SlotNames.Select(_ => Zeroed(p.Value)).ToArray()).ToArray();
        _decays = parameters.Select(p => decays?.Invoke(p.Name) ?? true).ToArray();
    }

    /// <summary>The backend that runs the updates.</summary>
    protected IBackend Backend { get; }

    /// <summary>The shards this optimizer updates.</summary>
    public IReadOnlyList<ParameterShard> Parameters { get; }

    /// <summary>The hyperparameters.</summary>
    public OptimizerSpec Spec { get; }

    /// <summary>The state tensors kept per parameter, by the names PyTorch gives them ("momentum_buffer"; "exp_avg", "exp_avg_sq").</summary>
    public IReadOnlyList<string> SlotNames { get; }

    /// <summary>Whether weight decay applies to parameter <paramref name="parameter"/>.</summary>
    public bool Decays(int parameter) => _decays[parameter];

    /// <summary>State tensor <paramref name="slot"/> of parameter <paramref name="parameter"/>.</summary>
    public Tensor Slot(int parameter, int slot) => _slots[parameter][slot];

    /// <summary>
    /// Applies update number <paramref name="step"/> (from 1) to every parameter from its accumulated gradient. With
    /// <paramref name="copyTo"/> (per parameter: the value's copy, then each slot's, shaped alike) the updated values and state
    /// are also copied there, block by block while still in cache: a snapshot for the price of its writes.
    /// </summary>
    public void Step(long step, IReadOnlyList<Tensor[]>? copyTo = null)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Optimizer steps count from 1.");
        if (copyTo is not null && copyTo.Count != Parameters.Count)
            throw new ArgumentException($"A snapshot of {copyTo.Count} parameters cannot take the optimizer's {Parameters.Count}.", nameof(copyTo));
        BeginStep(step, Spec.LearningRateAt(step));
        for (int i = 0; i < Parameters.Count; i++) Update(Parameters[i], _slots[i], copyTo?[i], _decays[i]);
    }

    /// <summary>Works out what the update of step <paramref name="step"/> at <paramref name="learningRate"/> needs once for all parameters (e.g. bias corrections).</summary>
    protected abstract void BeginStep(long step, float learningRate);

    /// <summary>
    /// Updates <paramref name="parameter"/> in place from its gradient and its <paramref name="state"/> (with weight decay when
    /// <paramref name="decays"/>), copying the updated value and state into <paramref name="copyTo"/> when given.
    /// </summary>
    protected abstract void Update(ParameterShard parameter, Tensor[] state, Tensor[]? copyTo, bool decays);

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var slots in _slots)
            foreach (var slot in slots) slot.Dispose();
        GC.SuppressFinalize(this);
    }

    private Tensor Zeroed(Tensor like)
    {
        var zero = like.EmptyLike();
        Backend.Zero(zero);
        return zero;
    }
}
