using TpActors.Layers.Parallel;
using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Models;

/// <summary>
/// The trained model on one rank: <c>h_{l+1} = h_l + MLP_l(h_l)</c> for l = 0 … L−1, each MLP a <see cref="ParallelMlp"/>, so
/// one all-reduce per block forward and one backward. Input and output [batch, hidden] are whole on every rank.
/// Backward runs the blocks in reverse: <c>dh_l = dh_{l+1} + MLP_lᵀ(dh_{l+1})</c>.
/// </summary>
public sealed class ResidualMlpStack : IModel
{
    private readonly IBackend _backend;
    private readonly ParallelMlp[] _blocks;
    private readonly List<Tensor> _owned = []; // h_1 … h_L, kept until backward (h_0 is the caller's)

    /// <summary>This rank's shards of the model, from the master weights of <paramref name="seed"/> (parameters "blocks.l.fc1.weight", …).</summary>
    public ResidualMlpStack(ParallelContext context, MlpStackSpec spec, long seed)
    {
        spec.Validate();
        Spec = spec;
        _backend = context.Backend;
        _blocks = Enumerable.Range(0, spec.Layers)
            .Select(l => new ParallelMlp(context, spec.Hidden, spec.Ffn, spec.Bias, spec.Activation, seed, MlpStackSpec.BlockName(l)))
            .ToArray();
        Parameters = [.. _blocks.SelectMany(b => b.Parameters)];
    }

    /// <summary>The model's shape.</summary>
    public MlpStackSpec Spec { get; }

    /// <summary>Every parameter shard of every block, in block order.</summary>
    public IReadOnlyList<ParameterShard> Parameters { get; }

    /// <summary>The output for <paramref name="input"/> [batch, hidden]; the caller keeps <paramref name="input"/> alive until <see cref="Backward"/>.</summary>
    public Tensor Forward(Tensor input)
    {
        ReleaseSaved();
        var h = input;
        foreach (var block in _blocks)
        {
            using var update = block.Forward(h);
            var next = h.EmptyLike();
            _backend.Add(h, update, next);
            _owned.Add(next);
            h = next;
        }
        _owned.RemoveAt(_owned.Count - 1); // the output belongs to the caller; the blocks keep only their inputs
        return h;
    }

    /// <summary>The gradient of the input, from <paramref name="gradOutput"/>; parameter gradients accumulate.</summary>
    public Tensor Backward(Tensor gradOutput)
    {
        var gradient = gradOutput.Clone();
        for (int l = _blocks.Length - 1; l >= 0; l--)
        {
            using var through = _blocks[l].Backward(gradient);
            _backend.Add(gradient, through, gradient);
        }
        ReleaseSaved();
        return gradient;
    }

    /// <summary>Sets every parameter gradient to zero.</summary>
    public void ZeroGradients()
    {
        foreach (var block in _blocks) block.ZeroGradients();
    }

    /// <summary>Drops what forward kept for backward (after an abandoned step).</summary>
    public void ReleaseSaved()
    {
        foreach (var h in _owned) h.Dispose();
        _owned.Clear();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        ReleaseSaved();
        foreach (var block in _blocks) block.Dispose();
    }
}
