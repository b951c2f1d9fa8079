using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Parallel;

/// <summary>
/// The token embedding E [vocab, hidden] with its rows (the vocabulary) split over the group, unevenly where vocab/tp is
/// not whole, with no padding: rank r holds the rows of tokens V_r… (<see cref="VocabStart"/>, <see cref="VocabLocal"/>).
/// <code>
/// ids [N] ─▶ rank r: P_r[i] = E_r[ids[i] − V_r] where ids[i] is its token, else 0 ─g─▶ X [N, hidden] = Σ_r P_r
/// </code>
/// One all-reduce forward (the <c>g</c>; under sequence parallelism a reduce-scatter to this rank's rows). Backward: every
/// rank sees the whole dX (all-gathered under sequence parallelism) and adds the rows of its own tokens into dE_r; no other
/// communication. The LM head may share E (weight tying): its gradient then adds into the same dE_r.
/// </summary>
public sealed class VocabParallelEmbedding : ShardedParameters
{
    /// <summary>The uniform bound that gives GPT-2's standard deviation of 0.02 (0.02·√3).</summary>
    public const float InitBound = 0.034641016f;

    private readonly ParallelContext _context;

    /// <summary>This rank's rows of an embedding of <paramref name="vocab"/> tokens (parameter "<paramref name="name"/>.weight").</summary>
    public VocabParallelEmbedding(ParallelContext context, int vocab, int hidden, long seed, string name = "wte", SequenceSplit? sequence = null)
        : base(context.Backend)
    {
        RequireSizes(vocab, hidden, context.Size);
        _context = context;
        Vocab = vocab;
        Hidden = hidden;
        Sequence = sequence;
        VocabStart = Partition.Start(vocab, context.Size, context.Rank);
        VocabLocal = Partition.Size(vocab, context.Size, context.Rank);
        Weight = AddParameter($"{name}.weight", Tensor.Uninitialized(VocabLocal, hidden), ShardAxis.Rows, seed, VocabStart, 0, hidden, InitBound);
    }

    /// <summary>Tokens in the whole vocabulary.</summary>
    public int Vocab { get; }

    /// <summary>Features per token.</summary>
    public int Hidden { get; }

    /// <summary>The first token whose row this rank holds.</summary>
    public int VocabStart { get; }

    /// <summary>Tokens whose rows this rank holds.</summary>
    public int VocabLocal { get; }

    /// <summary>The sequence's split when the output is this rank's rows of the batch, else null.</summary>
    public SequenceSplit? Sequence { get; }

    /// <summary>E_r [vocab_r, hidden].</summary>
    public Tensor Weight { get; }

    /// <summary>The gradient of <see cref="Weight"/>, where a tied LM head adds its own.</summary>
    public Tensor WeightGradient => Gradient(0);

    /// <summary>Throws <see cref="ArgumentException"/> naming the numbers unless a vocabulary of <paramref name="vocab"/> splits over <paramref name="tp"/> ranks.</summary>
    public static void RequireSizes(int vocab, int hidden, int tp)
    {
        if (vocab < 1) throw new ArgumentException($"A vocabulary needs at least 1 token, not {vocab}.");
        if (hidden < 1) throw new ArgumentException($"An embedding needs at least 1 feature, not {hidden}.");
        if (tp > vocab) throw new ArgumentException($"Tensor parallelism of {tp} is more than the {vocab} tokens of the vocabulary: every rank needs at least one.");
    }

    /// <summary>X [N, hidden] (this rank's rows of it under sequence parallelism) for the token ids <paramref name="ids"/>.</summary>
    public Tensor Forward(ReadOnlySpan<int> ids)
    {
        var partial = Tensor.Uninitialized(ids.Length, Hidden);
        _context.Backend.GatherRows(Weight, ids, VocabStart, partial);          // P_r: this rank's tokens, zeros elsewhere
        if (Sequence is null) return ReduceFromRegion.Forward(_context, partial); // Σ over ranks
        using (partial) return ReduceScatterToSequenceRegion.Forward(_context, partial, Sequence);
    }

    /// <summary>Adds the rows of <paramref name="gradOutput"/> (dX, or this rank's rows of it) into dE_r at this rank's tokens.</summary>
    public void Backward(Tensor gradOutput, ReadOnlySpan<int> ids)
    {
        using var gathered = Sequence is null ? null : ReduceScatterToSequenceRegion.Backward(_context, gradOutput, Sequence);
        var full = gathered ?? ReduceFromRegion.Backward(_context, gradOutput);  // [N, hidden]
        if (full.Rows != ids.Length || full.Cols != Hidden)
            throw new ArgumentException($"{nameof(VocabParallelEmbedding)} at rank {_context.Rank}: the output gradient is {full.ShapeText} for {ids.Length} tokens of {Hidden} features.");
        _context.Backend.ScatterAddRows(full, ids, VocabStart, Gradient(0));     // dE_r[id − V_r] += dX[i]
    }
}
