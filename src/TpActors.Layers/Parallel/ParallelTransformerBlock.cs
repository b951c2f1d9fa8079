using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Parallel;

/// <summary>
/// A pre-LN transformer block, as in GPT-2: attention then MLP, each behind a LayerNorm and around a residual.
/// <code>
/// x ─▶ h = x + Attn(LN₁(x)) ─▶ y = h + MLP(LN₂(h))
/// </code>
/// Forward: one all-reduce after the attention's output projection and one after fc2 (the two <c>g</c>s); backward: one in
/// front of the QKV projection and one in front of fc1 (the two <c>f</c>s); the LayerNorms and residuals need none.
/// Backward: dh = dy + LN₂′(MLP′(dy)), dx = dh + LN₁′(Attn′(dh)). With sequence parallelism each rank holds only its rows of
/// x, h and y (LayerNorm and the residuals run on them, its γ and β gradients all-reduced), every all-reduce becomes a
/// reduce-scatter forward and an all-gather backward or the reverse, and the activations kept between the layers shrink
/// by the group's size.
/// </summary>
public sealed class ParallelTransformerBlock : IParallelLayer
{
    private readonly ParallelContext _context;
    private Tensor? _normalized1; // LN₁(x): the attention's input
    private Tensor? _residual;    // h = x + Attn(LN₁(x)): LN₂'s input
    private Tensor? _normalized2; // LN₂(h): the MLP's input

    /// <summary>
    /// This rank's part of a block over <paramref name="hidden"/> features (parameters "<paramref name="name"/>.ln_1.*",
    /// ".attn.*", ".ln_2.*", ".mlp.*" from <paramref name="seed"/>); with <paramref name="sequence"/>, x and y are this
    /// rank's rows of the batch.
    /// </summary>
    public ParallelTransformerBlock(ParallelContext context, int hidden, int heads, int ffn, int sequenceLength, bool bias, Activation activation, float epsilon,
        long seed, string name = "block", SequenceSplit? sequence = null)
    {
        _context = context;
        Sequence = sequence;
        Norm1 = new LayerNorm(context, hidden, epsilon, sequence is not null, $"{name}.ln_1");
        Attention = new ParallelSelfAttention(context, hidden, heads, sequenceLength, bias, seed, $"{name}.attn", sequence);
        Norm2 = new LayerNorm(context, hidden, epsilon, sequence is not null, $"{name}.ln_2");
        Mlp = new ParallelMlp(context, hidden, ffn, bias, activation, seed, $"{name}.mlp", sequence);
    }

    /// <summary>LN₁, in front of the attention.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>The attention, its heads split over the group.</summary>
    public ParallelSelfAttention Attention { get; }

    /// <summary>LN₂, in front of the MLP.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>The MLP, its ffn split over the group.</summary>
    public ParallelMlp Mlp { get; }

    /// <summary>The sequence's split when x and y are this rank's rows of the batch, else null.</summary>
    public SequenceSplit? Sequence { get; }

    /// <inheritdoc/>
    public IReadOnlyList<ParameterShard> Parameters => [.. Norm1.Parameters, .. Attention.Parameters, .. Norm2.Parameters, .. Mlp.Parameters];

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        ReleaseSaved();
        var backend = _context.Backend;
        _normalized1 = Norm1.Forward(input);                  // LN₁(x)
        using (var attended = Attention.Forward(_normalized1))
        {
            _residual = input.EmptyLike();
            backend.Add(input, attended, _residual);          // h = x + Attn(LN₁(x))
        }
        _normalized2 = Norm2.Forward(_residual);              // LN₂(h)
        var output = _residual.EmptyLike();
        using (var transformed = Mlp.Forward(_normalized2))
            backend.Add(_residual, transformed, output);      // y = h + MLP(LN₂(h))
        return output;
    }

    /// <summary>Inference on the next positions of one sequence, the attention reading and extending <paramref name="cache"/> (see <see cref="ParallelSelfAttention.Decode"/>).</summary>
    public Tensor Decode(Tensor x, KvCache cache)
    {
        var backend = _context.Backend;
        var h = x.EmptyLike();
        using (var normalized = Norm1.Forward(x))
        using (var attended = Attention.Decode(normalized, cache))
            backend.Add(x, attended, h);                      // h = x + Attn(LN₁(x))
        var y = h.EmptyLike();
        using (h)
        using (var normalized = Norm2.Forward(h))
        using (var transformed = Mlp.Forward(normalized))
            backend.Add(h, transformed, y);                   // y = h + MLP(LN₂(h))
        return y;
    }

    /// <inheritdoc/>
    public Tensor Backward(Tensor gradOutput)
    {
        if (_residual is null) throw new InvalidOperationException($"{nameof(ParallelTransformerBlock)} at rank {_context.Rank}: backward before forward.");
        var backend = _context.Backend;
        Tensor gradResidual;                                  // dh = dy + LN₂′(MLP′(dy))
        using (var gradNormalized2 = Mlp.Backward(gradOutput))
        {
            gradResidual = Norm2.Backward(gradNormalized2);
            backend.Axpy(1, gradOutput, gradResidual);
        }
        Tensor gradInput;                                     // dx = dh + LN₁′(Attn′(dh))
        using (gradResidual)
        using (var gradNormalized1 = Attention.Backward(gradResidual))
        {
            gradInput = Norm1.Backward(gradNormalized1);
            backend.Axpy(1, gradResidual, gradInput);
        }
        ReleaseSaved();
        return gradInput;
    }

    /// <inheritdoc/>
    public long SavedBytes => (_normalized1?.Bytes ?? 0) + (_residual?.Bytes ?? 0) + (_normalized2?.Bytes ?? 0)
        + Norm1.SavedBytes + Attention.SavedBytes + Norm2.SavedBytes + Mlp.SavedBytes;

    /// <inheritdoc/>
    public void ZeroGradients()
    {
        Norm1.ZeroGradients();
        Attention.ZeroGradients();
        Norm2.ZeroGradients();
        Mlp.ZeroGradients();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        ReleaseSaved();
        Norm1.Dispose();
        Attention.Dispose();
        Norm2.Dispose();
        Mlp.Dispose();
    }

    private void ReleaseSaved()
    {
        _normalized1?.Dispose();
        _residual?.Dispose();
        _normalized2?.Dispose();
        _normalized1 = _residual = _normalized2 = null;
    }
}
