using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Parallel;

/// <summary>
/// The learned position embedding W_pe [context, hidden], replicated: row i of a batch of sequences of T tokens gets
/// W_pe[i mod T] added. Backward: dW_pe[p] = Σ over the rows at position p of dY. Under sequence parallelism a rank holds
/// only its rows, so its dW_pe is a partial sum, all-reduced before it is added: every replica stays equal.
/// </summary>
public sealed class PositionEmbedding : ShardedParameters
{
    private readonly ParallelContext _context;
    private int[] _positions = [];

    /// <summary>A replicated position embedding for sequences of <paramref name="context"/> tokens (parameter "<paramref name="name"/>.weight").</summary>
    public PositionEmbedding(ParallelContext parallel, int context, int hidden, long seed, string name = "wpe", SequenceSplit? sequence = null)
        : base(parallel.Backend)
    {
        if (context < 1) throw new ArgumentException($"A position embedding needs a context of at least 1 token, not {context}.");
        _context = parallel;
        Context = context;
        Sequence = sequence;
        Weight = AddParameter($"{name}.weight", Tensor.Uninitialized(context, hidden), ShardAxis.Replicated, seed, 0, 0, hidden, VocabParallelEmbedding.InitBound);
    }

    /// <summary>Tokens per sequence (T).</summary>
    public int Context { get; }

    /// <summary>The sequence's split when the rows are this rank's rows of the batch, else null.</summary>
    public SequenceSplit? Sequence { get; }

    /// <summary>W_pe [context, hidden].</summary>
    public Tensor Weight { get; }

    /// <summary>
    /// Adds each row's position embedding to <paramref name="x"/> in place (rows numbered from this rank's first, the first
    /// row at position <paramref name="firstPosition"/>: a sequence decoded position by position).
    /// </summary>
    public void Forward(Tensor x, int firstPosition = 0)
    {
        int first = (Sequence?.Start(_context.Size, _context.Rank) ?? 0) + firstPosition;
        if (_positions.Length != x.Rows) _positions = new int[x.Rows];
        for (int i = 0; i < x.Rows; i++) _positions[i] = (first + i) % Context;
        using var rows = x.EmptyLike();
        _context.Backend.GatherRows(Weight, _positions, 0, rows);
        _context.Backend.Add(x, rows, x);
    }

    /// <summary>Adds <paramref name="gradOutput"/>'s rows into dW_pe at their positions.</summary>
    public void Backward(Tensor gradOutput)
    {
        if (gradOutput.Rows != _positions.Length || gradOutput.Cols != Weight.Cols)
            throw new ArgumentException($"{nameof(PositionEmbedding)} at rank {_context.Rank}: the gradient is {gradOutput.ShapeText}, the output was [{_positions.Length}, {Weight.Cols}].");
        if (Sequence is null || _context.Size == 1)
        {
            _context.Backend.ScatterAddRows(gradOutput, _positions, 0, Gradient(0));
            return;
        }
        using var partial = Weight.EmptyLike();
        _context.Backend.Zero(partial);
        _context.Backend.ScatterAddRows(gradOutput, _positions, 0, partial);
        _context.Group.AllReduce(partial);                                        // Σ over the sequence's shards
        _context.Backend.Axpy(1, partial, Gradient(0));
    }
}
