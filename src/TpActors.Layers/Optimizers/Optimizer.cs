using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Optimizers;

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

    // Elements updated at a time: small enough that a block's values and state are still in cache when they are copied out.
    private const int BlockElements = 8192;

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
        for (int i = 0; i < Parameters.Count; i++)
        {
            Span<float> w = Parameters[i].Value.Span, s0 = _slots[i][0].Span, s1 = SlotNames.Count > 1 ? _slots[i][1].Span : default;
            ReadOnlySpan<float> g = Parameters[i].Gradient.Span;
            for (int start = 0; start < w.Length; start += BlockElements)
            {
                int n = Math.Min(BlockElements, w.Length - start);
                Update(w.Slice(start, n), g.Slice(start, n), s0.Slice(start, n), s1.IsEmpty ? default : s1.Slice(start, n), step);
                if (copyTo is null) continue;
                var targets = copyTo[i];
                StreamingCopy.Run(w.Slice(start, n), targets[0].Span.Slice(start, n));
                StreamingCopy.Run(s0.Slice(start, n), targets[1].Span.Slice(start, n));
                if (!s1.IsEmpty) StreamingCopy.Run(s1.Slice(start, n), targets[2].Span.Slice(start, n));
            }
        }
    }

    /// <summary>
    /// Updates one block of a parameter's values <paramref name="w"/> in place from gradient <paramref name="g"/> and its state
    /// <paramref name="s0"/> (and <paramref name="s1"/> for a rule with two slots; empty otherwise).
    /// </summary>
    protected abstract void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1, long step);

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
