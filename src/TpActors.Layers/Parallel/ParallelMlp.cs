using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Parallel;

/// <summary>
/// The Megatron MLP block: Y = act(X·A + a)·B + b, with A [hidden, ffn] column-parallel and B [ffn, hidden] row-parallel, so
/// the ffn-wide activation never leaves its rank: one all-reduce in forward (after B, the <c>g</c>) and one in backward
/// (in front of A, the <c>f</c>).
/// <code>
/// X [batch, hidden] ─f─▶ fc1: X·A_r + a_r ─▶ H_r [batch, ffn_r] ─act─▶ Z_r ─▶ fc2: Z_r·B_r ─g─▶ + b ─▶ Y [batch, hidden]
/// </code>
/// </summary>
public sealed class ParallelMlp : IParallelLayer
{
    private readonly ParallelContext _context;
    private Tensor? _preActivation; // H_r, kept for backward
    private Tensor? _activated;     // Z_r, fc2's input, kept until fc2's backward

    /// <summary>
    /// This rank's part of an MLP (parameters "<paramref name="name"/>.fc1.*", ".fc2.*" from <paramref name="seed"/>); with
    /// <paramref name="sequence"/>, its input and output are this rank's rows of the batch (sequence parallelism).
    /// </summary>
    public ParallelMlp(ParallelContext context, int hidden, int ffn, bool bias, Activation activation, long seed, string name = "mlp", SequenceSplit? sequence = null)
    {
        _context = context;
        Activation = activation;
        Fc1 = new ColumnParallelLinear(context, hidden, ffn, bias, gatherOutput: false, seed, $"{name}.fc1", sequence);
        Fc2 = new RowParallelLinear(context, ffn, hidden, bias, inputIsParallel: true, seed, $"{name}.fc2", sequence: sequence);
    }

    /// <summary>The column-parallel first linear (hidden → ffn).</summary>
    public ColumnParallelLinear Fc1 { get; }

    /// <summary>The row-parallel second linear (ffn → hidden).</summary>
    public RowParallelLinear Fc2 { get; }

    /// <summary>The nonlinearity between them.</summary>
    public Activation Activation { get; }

    /// <inheritdoc/>
    public IReadOnlyList<ParameterShard> Parameters => [.. Fc1.Parameters, .. Fc2.Parameters];

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        ReleaseSaved();
        _preActivation = Fc1.Forward(input);                                  // [batch, ffn_r]
        _activated = _preActivation.EmptyLike();
        _context.Backend.Activate(Activation, _preActivation, _activated);   // [batch, ffn_r]
        return Fc2.Forward(_activated);                                       // [batch, hidden]
    }

    /// <inheritdoc/>
    public Tensor Backward(Tensor gradOutput)
    {
        var preActivation = _preActivation ?? throw new InvalidOperationException($"{nameof(ParallelMlp)} at rank {_context.Rank}: backward before forward.");
        using var gradActivated = Fc2.Backward(gradOutput);                               // [batch, ffn_r]
        _context.Backend.ActivateBackward(Activation, preActivation, gradActivated, gradActivated);
        var gradInput = Fc1.Backward(gradActivated);                                      // [batch, hidden]
        ReleaseSaved();
        return gradInput;
    }

    /// <inheritdoc/>
    public long SavedBytes => (_preActivation?.Bytes ?? 0) + (_activated?.Bytes ?? 0) + Fc1.SavedBytes + Fc2.SavedBytes;

    /// <inheritdoc/>
    public void ZeroGradients()
    {
        Fc1.ZeroGradients();
        Fc2.ZeroGradients();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        ReleaseSaved();
        Fc1.Dispose();
        Fc2.Dispose();
    }

    private void ReleaseSaved()
    {
        _preActivation?.Dispose();
        _activated?.Dispose();
        _preActivation = _activated = null;
    }
}
