using System.Diagnostics;

namespace TpActors.Layers.Tensors;

/// <summary>
/// A dense float32 tensor of rank 1 (<c>[n]</c>) or 2 (<c>[rows, cols]</c>), row-major, over pooled 64-byte-aligned storage.
/// A view (<see cref="RowBlock"/>, <see cref="ColumnBlock"/>) shares its parent's storage and keeps the parent's row stride;
/// only the tensor that rented the storage gives it back, on <see cref="Dispose"/>.
/// A tensor is not thread-safe; one sent in a message belongs to the receiver.
/// </summary>
[DebuggerDisplay("Tensor {ShapeText}{IsContiguous ? \"\" : \" (strided view)\",nq}")]
public sealed class Tensor : IDisposable
{
    private TensorStorage? _storage;
    private readonly int _offset;
    private readonly bool _ownsStorage;

    private Tensor(TensorStorage storage, int offset, int rank, int rows, int cols, int stride, bool ownsStorage)
    {
        _storage = storage;
        _offset = offset;
        Rank = rank;
        Rows = rows;
        Cols = cols;
        Stride = stride;
        _ownsStorage = ownsStorage;
    }

    /// <summary>1 for a vector, 2 for a matrix.</summary>
    public int Rank { get; }

    /// <summary>Rows of a matrix; 1 for a vector.</summary>
    public int Rows { get; }

    /// <summary>Columns of a matrix; the length of a vector.</summary>
    public int Cols { get; }

    /// <summary>Elements between the starts of two consecutive rows (equal to <see cref="Cols"/> unless this is a column view).</summary>
    public int Stride { get; }

    /// <summary>Rows × columns.</summary>
    public int Length => Rows * Cols;

    /// <summary>Bytes of its elements: <see cref="Length"/> floats.</summary>
    public long Bytes => (long)Length * sizeof(float);

    /// <summary>The shape, e.g. <c>[4, 8]</c> or <c>[8]</c>.</summary>
    public int[] Shape => Rank == 1 ? [Cols] : [Rows, Cols];

    /// <summary>The shape as text, e.g. "[4, 8]".</summary>
    public string ShapeText => Rank == 1 ? $"[{Cols}]" : $"[{Rows}, {Cols}]";

    /// <summary>True when the elements are one unbroken run in memory.</summary>
    public bool IsContiguous => Stride == Cols || Rows <= 1;

    /// <summary>A matrix of the given shape with undefined contents.</summary>
    public static Tensor Uninitialized(int rows, int cols) => Create(2, rows, cols);

    /// <summary>A vector of the given length with undefined contents.</summary>
    public static Tensor UninitializedVector(int length) => Create(1, 1, length);

    /// <summary>Whether rank, rows and cols describe a tensor: a vector (rank 1, one row) or a matrix, of no negative size.</summary>
    public static bool IsShape(int rank, int rows, int cols) => rank is 1 or 2 && rows >= 0 && cols >= 0 && (rank == 2 || rows == 1);

    /// <summary>A vector (rank 1, <paramref name="cols"/> long) or a matrix (rank 2) with undefined contents.</summary>
    public static Tensor Uninitialized(int rank, int rows, int cols) => rank == 1 ? UninitializedVector(cols) : Uninitialized(rows, cols);

    /// <summary>A zero matrix.</summary>
    public static Tensor Zeros(int rows, int cols) => Cleared(Create(2, rows, cols));

    /// <summary>A zero vector.</summary>
    public static Tensor ZerosVector(int length) => Cleared(Create(1, 1, length));

    /// <summary>A matrix holding a copy of <paramref name="values"/> (row-major, rows × cols of them).</summary>
    public static Tensor FromArray(ReadOnlySpan<float> values, int rows, int cols)
    {
        if (values.Length != (long)rows * cols)
            throw new ArgumentException($"Cannot shape {values.Length} values as [{rows}, {cols}] ({(long)rows * cols} elements).", nameof(values));
        var tensor = Create(2, rows, cols);
        values.CopyTo(tensor.Span);
        return tensor;
    }

    /// <summary>A vector holding a copy of <paramref name="values"/>.</summary>
    public static Tensor VectorFrom(ReadOnlySpan<float> values)
    {
        var tensor = Create(1, 1, values.Length);
        values.CopyTo(tensor.Span);
        return tensor;
    }

    /// <summary>A new contiguous tensor of the same shape with undefined contents.</summary>
    public Tensor EmptyLike() => Create(Rank, Rows, Cols);

    /// <summary>A contiguous copy (of a view, too).</summary>
    public Tensor Clone()
    {
        var copy = EmptyLike();
        CopyTo(copy);
        return copy;
    }

    /// <summary>The elements of a contiguous tensor. A strided view has no single span: use <see cref="Row"/>.</summary>
    public Span<float> Span
    {
        get
        {
            if (!IsContiguous) throw new InvalidOperationException($"The tensor {ShapeText} is a strided view (row stride {Stride}); read it row by row.");
            return Storage.Array.AsSpan(Storage.Offset + _offset, Length);
        }
    }

    /// <summary>Row <paramref name="row"/> of a matrix (the whole of a vector for row 0).</summary>
    public Span<float> Row(int row)
    {
        Debug.Assert((uint)row < (uint)Rows, "The row index is inside the tensor.");
        return Storage.Array.AsSpan(Storage.Offset + _offset + row * Stride, Cols);
    }

    /// <summary>Element (row, col).</summary>
    public ref float this[int row, int col] => ref Row(row)[col];

    /// <summary>Every element from the first to the last, including the gaps of a strided view: what BLAS reads with a leading dimension.</summary>
    internal Span<float> Extent => Storage.Array.AsSpan(Storage.Offset + _offset, Rows == 0 ? 0 : (Rows - 1) * Stride + Cols);

    /// <summary>Rows [start, start + count) as a view sharing this tensor's storage.</summary>
    public Tensor RowBlock(int start, int count)
    {
        if (Rank != 2 || start < 0 || count < 0 || start + count > Rows)
            throw new ArgumentOutOfRangeException(nameof(start), $"Cannot take rows [{start}, {start + count}) of {ShapeText}.");
        return new Tensor(Storage, _offset + start * Stride, 2, count, Cols, Stride, ownsStorage: false);
    }

    /// <summary>Columns [start, start + count) as a strided view sharing this tensor's storage (a sub-range of a vector for rank 1).</summary>
    public Tensor ColumnBlock(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Cols)
            throw new ArgumentOutOfRangeException(nameof(start), $"Cannot take columns [{start}, {start + count}) of {ShapeText}.");
        return new Tensor(Storage, _offset + start, Rank, Rows, count, Rank == 1 ? count : Stride, ownsStorage: false);
    }

    /// <summary>Copies every element into <paramref name="destination"/>, which must have the same shape (either may be a view).</summary>
    public void CopyTo(Tensor destination)
    {
        RequireSameShape(this, destination, "copy");
        if (IsContiguous && destination.IsContiguous) { Span.CopyTo(destination.Span); return; }
        for (int r = 0; r < Rows; r++) Row(r).CopyTo(destination.Row(r));
    }

    /// <summary>The elements as a new row-major array.</summary>
    public float[] ToArray()
    {
        var values = new float[Length];
        for (int r = 0; r < Rows; r++) Row(r).CopyTo(values.AsSpan(r * Cols, Cols));
        return values;
    }

    /// <summary>The same elements, shaped as a matrix of <paramref name="rows"/> × <paramref name="cols"/> (contiguous tensors only).</summary>
    public Tensor Reshape(int rows, int cols)
    {
        if ((long)rows * cols != Length || !IsContiguous)
            throw new ArgumentException($"Cannot reshape {ShapeText}{(IsContiguous ? "" : " (a strided view)")} to [{rows}, {cols}].");
        return new Tensor(Storage, _offset, 2, rows, cols, cols, ownsStorage: false);
    }

    /// <summary>A vector view [length] of every element of a contiguous tensor.</summary>
    public Tensor Flatten()
    {
        if (!IsContiguous) throw new ArgumentException($"Cannot flatten {ShapeText}: it is a strided view.");
        return new Tensor(Storage, _offset, 1, 1, Length, Length, ownsStorage: false);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming both shapes unless <paramref name="a"/> and <paramref name="b"/> have the same shape.</summary>
    public static void RequireSameShape(Tensor a, Tensor b, string operation)
    {
        if (a.Rows != b.Rows || a.Cols != b.Cols || a.Rank != b.Rank)
            throw new ArgumentException($"Cannot {operation}: shapes {a.ShapeText} and {b.ShapeText} differ.");
    }

    /// <summary>Gives pooled storage back (only for a tensor that rented it; a view's Dispose does nothing). Using the tensor afterwards throws.</summary>
    public void Dispose()
    {
        var storage = _storage;
        _storage = null;
        if (storage is not null && _ownsStorage) TensorStorage.Return(storage);
    }

    /// <inheritdoc/>
    public override string ToString() => $"Tensor {ShapeText}";

    private TensorStorage Storage => _storage ?? throw new ObjectDisposedException(nameof(Tensor), $"The tensor {ShapeText} was disposed.");

    private static Tensor Create(int rank, int rows, int cols)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"A tensor cannot have shape [{rows}, {cols}].");
        return new Tensor(TensorStorage.Rent(checked(rows * cols)), 0, rank, rows, cols, cols, ownsStorage: true);
    }

    private static Tensor Cleared(Tensor tensor)
    {
        tensor.Span.Clear();
        return tensor;
    }
}
