using System.Diagnostics;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Parallel;

/// <summary>
/// The keys and values one attention layer has seen, for this rank's heads only: K and V [capacity, w_r], rows 0 …
/// <see cref="Length"/> − 1 filled, position by position. Generating a token then costs one row of Q, K and V and one row of
/// scores per head, not the whole context again. Sharded by heads as the attention is: no rank holds another's.
/// </summary>
public sealed class KvCache : IDisposable
{
    /// <summary>An empty cache of <paramref name="capacity"/> positions for <paramref name="width"/> = h_r·d columns.</summary>
    public KvCache(int capacity, int width)
    {
        Keys = Tensor.Uninitialized(capacity, width);
        Values = Tensor.Uninitialized(capacity, width);
    }

    /// <summary>K [capacity, w_r]; rows past <see cref="Length"/> are undefined.</summary>
    public Tensor Keys { get; }

    /// <summary>V [capacity, w_r]; rows past <see cref="Length"/> are undefined.</summary>
    public Tensor Values { get; }

    /// <summary>Positions held.</summary>
    public int Length { get; private set; }

    /// <summary>Positions it can hold (the model's context).</summary>
    public int Capacity => Keys.Rows;

    /// <summary>Appends <paramref name="keys"/> and <paramref name="values"/> [n, w_r] as positions <see cref="Length"/> …, on <paramref name="backend"/>.</summary>
    public void Append(IBackend backend, Tensor keys, Tensor values)
    {
        if (Length + keys.Rows > Capacity)
            throw new InvalidOperationException($"A cache of {Capacity} positions holds {Length}; {keys.Rows} more do not fit.");
        Debug.Assert(keys.Cols == Keys.Cols && values.Cols == Values.Cols && keys.Rows == values.Rows, "K and V rows of this rank's width");
        backend.Copy(keys, Keys.RowBlock(Length, keys.Rows));
        backend.Copy(values, Values.RowBlock(Length, values.Rows));
        Length += keys.Rows;
    }

    /// <summary>Forgets every position (a new sequence).</summary>
    public void Clear() => Length = 0;

    /// <inheritdoc/>
    public void Dispose()
    {
        Keys.Dispose();
        Values.Dispose();
    }
}
