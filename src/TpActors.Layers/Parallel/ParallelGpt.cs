using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Parallel;

/// <summary>
/// A GPT on one rank of the group, as nanoGPT builds it: token and position embeddings, pre-LN blocks, a final LayerNorm,
/// and an LM head whose logits stay split by vocabulary into a vocab-parallel cross-entropy.
/// <code>
/// ids ─▶ wte (vocab-parallel, g) + wpe ─▶ h.0 … h.{L−1} ─▶ ln_f ─f─▶ Z_r = X·W_rᵀ [N, vocab_r] ─▶ ℓ [N] (vocab-parallel CE)
/// </code>
/// The input is [N, 2]: each row's token id and its target id (whole numbers below the vocabulary), N a whole number of
/// sequences of <c>context</c> tokens. The output is each row's loss [N, 1], the same on every rank; backward takes dℓ
/// [N, 1] and returns zeros [N, 2] (token ids have no gradient). W is the embedding's own rows with weight tying (its
/// gradient then sums both uses), or lm_head.weight [vocab, hidden] split the same way. Under sequence parallelism the
/// embeddings, blocks and ln_f hold this rank's rows of the batch; the LM head gathers them (again in backward, for dW).
/// </summary>
public sealed class ParallelGpt : ShardedParameters, IParallelLayer
{
    private readonly ParallelContext _context;
    private readonly List<Tensor> _activations = []; // the embeddings' output and each block's, inputs of the next
    private Tensor? _normalized;                      // ln_f's output (this rank's rows under sequence parallelism)
    private Tensor? _logits;                          // Z_r [N, vocab_r]
    private int[] _ids = [];
    private int[] _targets = [];

    /// <summary>
    /// This rank's part of a GPT (parameters "<paramref name="name"/>.wte.weight", ".wpe.weight", ".h.{i}.*", ".ln_f.*",
    /// ".lm_head.weight"; with an empty name, "wte.weight" … as nanoGPT's own).
    /// </summary>
    public ParallelGpt(ParallelContext context, GptSpec spec, long seed, string name = "gpt")
        : base(context.Backend)
    {
        spec.RequireSizes(context.Size);
        _context = context;
        Spec = spec;
        var sequence = spec.SequenceParallelTokens > 0 ? new SequenceSplit(spec.SequenceParallelTokens) : null;
        TokenEmbedding = new VocabParallelEmbedding(context, spec.Vocab, spec.Hidden, seed, Child(name, "wte"), sequence);
        PositionEmbedding = new PositionEmbedding(context, spec.Context, spec.Hidden, seed, Child(name, "wpe"), sequence);
        Blocks = Enumerable.Range(0, spec.Layers)
            .Select(i => new ParallelTransformerBlock(context, spec.Hidden, spec.Heads, spec.Ffn, spec.Context, spec.Bias, spec.Activation, spec.Epsilon, seed, Child(name, $"h.{i}"), sequence))
            .ToArray();
        FinalNorm = new LayerNorm(context, spec.Hidden, spec.Epsilon, sequence is not null, Child(name, "ln_f"));
        Head = spec.TieWeights ? TokenEmbedding.Weight
            : AddParameter(Child(name, "lm_head.weight"), Tensor.Uninitialized(TokenEmbedding.VocabLocal, spec.Hidden), ShardAxis.Rows, seed, TokenEmbedding.VocabStart, 0, spec.Hidden,
                VocabParallelEmbedding.InitBound);
        Loss = new VocabParallelCrossEntropy(context, spec.Vocab, TokenEmbedding.VocabStart, spec.LabelSmoothing);
        Sequence = sequence;
    }

    /// <summary>The model's sizes and options.</summary>
    public GptSpec Spec { get; }

    /// <summary>wte, its rows split by vocabulary.</summary>
    public VocabParallelEmbedding TokenEmbedding { get; }

    /// <summary>wpe, replicated.</summary>
    public PositionEmbedding PositionEmbedding { get; }

    /// <summary>h.0 … h.{L−1}.</summary>
    public IReadOnlyList<ParallelTransformerBlock> Blocks { get; }

    /// <summary>ln_f.</summary>
    public LayerNorm FinalNorm { get; }

    /// <summary>W_r [vocab_r, hidden]: the LM head's rows (the embedding's own with weight tying).</summary>
    public Tensor Head { get; }

    /// <summary>The vocab-parallel cross-entropy over the head's logits.</summary>
    public VocabParallelCrossEntropy Loss { get; }

    /// <summary>The sequence's split under sequence parallelism, else null.</summary>
    public SequenceSplit? Sequence { get; }

    /// <inheritdoc/>
    public new IReadOnlyList<ParameterShard> Parameters =>
        [.. TokenEmbedding.Parameters, .. PositionEmbedding.Parameters, .. Blocks.SelectMany(b => b.Parameters), .. FinalNorm.Parameters, .. base.Parameters];

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        ReadTokens(input);
        ReleaseSaved();
        var backend = _context.Backend;
        var x = TokenEmbedding.Forward(_ids);                                   // [N or N_r, hidden]
        PositionEmbedding.Forward(x);
        _activations.Add(x);
        foreach (var block in Blocks) _activations.Add(x = block.Forward(x));
        _normalized = FinalNorm.Forward(x);
        using (var gathered = HeadInput())
        {
            _logits = Tensor.Uninitialized(input.Rows, TokenEmbedding.VocabLocal);
            backend.Gemm(gathered ?? CopyToRegion.Forward(_context, _normalized), false, Head, true, _logits); // Z_r = X·W_rᵀ
        }
        using var losses = Loss.Forward(_logits, _targets);
        return losses.Reshape(input.Rows, 1).Clone();
    }

    /// <summary>
    /// Inference: the next positions of one sequence, <paramref name="ids"/> at <paramref name="position"/> …, through every
    /// block with its <see cref="KvCache"/> (one per block, this rank's heads); returns the logits of the last position over
    /// the whole vocabulary [1, vocab], all-gathered from the ranks' columns, the same on every rank.
    /// </summary>
    public Tensor Decode(ReadOnlySpan<int> ids, int position, IReadOnlyList<KvCache> caches)
    {
        if (Sequence is not null) throw new InvalidOperationException($"{nameof(ParallelGpt)}: decoding runs without sequence parallelism.");
        if (ids.Length == 0 || position < 0 || position + ids.Length > Spec.Context)
            throw new ArgumentException($"{nameof(ParallelGpt)} at rank {_context.Rank}: positions {position}…{position + ids.Length - 1} are outside the context of {Spec.Context}.");
        foreach (int id in ids)
            if ((uint)id >= (uint)Spec.Vocab) throw new ArgumentException($"{nameof(ParallelGpt)} at rank {_context.Rank}: token {id} is not in a vocabulary of {Spec.Vocab}.");
        var backend = _context.Backend;
        var x = TokenEmbedding.Forward(ids);                                    // [n, hidden]
        PositionEmbedding.Forward(x, position);
        for (int i = 0; i < Blocks.Count; i++)
            using (var input = x) x = Blocks[i].Decode(input, caches[i]);
        using var normalized = FinalNorm.Forward(x);
        x.Dispose();
        using var local = Tensor.Uninitialized(1, TokenEmbedding.VocabLocal);
        backend.Gemm(normalized.RowBlock(normalized.Rows - 1, 1), false, Head, true, local);   // z_r = x_last·W_rᵀ
        var logits = Tensor.Uninitialized(1, Spec.Vocab);
        if (_context.Size == 1) backend.Copy(local, logits);
        else _context.Group.AllGather(local, logits, Partition.Sizes(Spec.Vocab, _context.Size));
        return logits;
    }

    /// <summary>One empty <see cref="KvCache"/> per block for this rank's heads, each of the whole context.</summary>
    public IReadOnlyList<KvCache> NewCaches() => Blocks.Select(b => new KvCache(Spec.Context, b.Attention.LocalWidth)).ToList();

    /// <inheritdoc/>
    public Tensor Backward(Tensor gradOutput)
    {
        var logits = _logits ?? throw new InvalidOperationException($"{nameof(ParallelGpt)} at rank {_context.Rank}: backward before forward.");
        if (gradOutput.Rows != logits.Rows || gradOutput.Cols != 1)
            throw new ArgumentException($"{nameof(ParallelGpt)} at rank {_context.Rank}: the loss gradient is {gradOutput.ShapeText}; the losses were [{logits.Rows}, 1].");
        var backend = _context.Backend;
        Tensor gradient;
        using (var gradLogits = Loss.Backward(gradOutput))
        {
            var headGradient = Spec.TieWeights ? TokenEmbedding.WeightGradient : Gradient(0);
            using (var gathered = HeadInput())
                backend.Gemm(gradLogits, true, gathered ?? _normalized!, false, headGradient, beta: 1); // dW_r += dZ_rᵀ·X
            var gradHeadInput = Tensor.Uninitialized(logits.Rows, Spec.Hidden);
            backend.Gemm(gradLogits, false, Head, false, gradHeadInput);             // dZ_r·W_r, partial
            if (Sequence is null) gradient = CopyToRegion.Backward(_context, gradHeadInput); // Σ over ranks, in place
            else using (gradHeadInput) gradient = GatherFromSequenceRegion.Backward(_context, gradHeadInput, Sequence);
        }
        using (var gradNormalized = gradient) gradient = FinalNorm.Backward(gradNormalized);
        for (int i = Blocks.Count - 1; i >= 0; i--)
            using (var gradBlockOutput = gradient) gradient = Blocks[i].Backward(gradBlockOutput);
        using (gradient)
        {
            PositionEmbedding.Backward(gradient);
            TokenEmbedding.Backward(gradient, _ids);
        }
        ReleaseSaved();
        return Tensor.Zeros(logits.Rows, 2);
    }

    /// <inheritdoc/>
    public long SavedBytes => _activations.Sum(a => a.Bytes) + (_normalized?.Bytes ?? 0) + (_logits?.Bytes ?? 0) + Loss.SavedBytes
        + Blocks.Sum(b => b.SavedBytes) + FinalNorm.SavedBytes;

    /// <summary>Sets every gradient to zero.</summary>
    public new void ZeroGradients()
    {
        TokenEmbedding.ZeroGradients();
        PositionEmbedding.ZeroGradients();
        foreach (var block in Blocks) block.ZeroGradients();
        FinalNorm.ZeroGradients();
        base.ZeroGradients();
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        ReleaseSaved();
        TokenEmbedding.Dispose();
        PositionEmbedding.Dispose();
        foreach (var block in Blocks) block.Dispose();
        FinalNorm.Dispose();
        base.Dispose();
    }

    // The ids and targets of [N, 2], each a whole number below the vocabulary, N whole sequences (and the split's tokens).
    private void ReadTokens(Tensor input)
    {
        if (input.Rank != 2 || input.Cols != 2)
            throw new ArgumentException($"{nameof(ParallelGpt)} at rank {_context.Rank}: the input is {input.ShapeText} but must be [tokens, 2] (each row's id and target).");
        if (input.Rows % Spec.Context != 0 || input.Rows == 0)
            throw new ArgumentException($"{nameof(ParallelGpt)} at rank {_context.Rank}: {input.Rows} tokens are not whole sequences of {Spec.Context}.");
        if (Sequence is not null && input.Rows != Sequence.Tokens)
            throw new ArgumentException($"{nameof(ParallelGpt)} at rank {_context.Rank}: {input.Rows} tokens, but sequence parallelism was set up for {Sequence.Tokens}.");
        if (_ids.Length != input.Rows) (_ids, _targets) = (new int[input.Rows], new int[input.Rows]);
        float[] values = input.ToArray(); // token ids are host values: read once per batch
        for (int i = 0; i < input.Rows; i++)
        {
            _ids[i] = Token(values[2 * i], i, "token");
            _targets[i] = Token(values[2 * i + 1], i, "target");
        }
    }

    private int Token(float value, int row, string what) =>
        value >= 0 && value < Spec.Vocab && value == MathF.Floor(value) ? (int)value
            : throw new ArgumentException($"{nameof(ParallelGpt)} at rank {_context.Rank}: row {row}'s {what} is {value}, not a token of a vocabulary of {Spec.Vocab}.");

    private static string Child(string name, string part) => name.Length == 0 ? part : $"{name}.{part}";

    // Under sequence parallelism, a new [N, hidden] of every rank's rows of ln_f's output; else null (the head reads it in place).
    private Tensor? HeadInput() => Sequence is null ? null : GatherFromSequenceRegion.Forward(_context, _normalized!, Sequence);

    /// <summary>Drops what forward kept for backward (after an abandoned step, or an evaluation).</summary>
    public void ReleaseSaved()
    {
        foreach (var activation in _activations) activation.Dispose();
        _activations.Clear();
        _normalized?.Dispose();
        _logits?.Dispose();
        _normalized = _logits = null;
    }
}
