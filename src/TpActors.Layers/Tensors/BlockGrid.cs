namespace TpActors.Layers.Tensors;

/// <summary>
/// A matrix cut into a grid of equal blocks, visited row by row: the operands of a batched GEMM, named without copying
/// them apart. Attention's heads are such a grid: Q of [B·T, H·d] is B × H blocks of [T, d] (block b·H + h is head h of
/// sequence b), and the scores of [B·H·T, T] are B·H × 1 blocks of [T, T] in the same order.
/// </summary>
/// <param name="Matrix">The matrix (any view); its rows and columns are whole multiples of the block's.</param>
/// <param name="BlockRows">Rows of one block.</param>
/// <param name="BlockCols">Columns of one block.</param>
public readonly record struct BlockGrid(Tensor Matrix, int BlockRows, int BlockCols)
{
    /// <summary>Blocks down the matrix.</summary>
    public int GridRows => BlockRows == 0 ? 0 : Matrix.Rows / BlockRows;

    /// <summary>Blocks across the matrix.</summary>
    public int GridCols => BlockCols == 0 ? 0 : Matrix.Cols / BlockCols;

    /// <summary>Blocks in all.</summary>
    public int Count => GridRows * GridCols;

    /// <summary>The block shape as text, e.g. "[8, 16] blocks of [32, 64]".</summary>
    public string ShapeText => $"[{BlockRows}, {BlockCols}] blocks of {Matrix.ShapeText}";

    /// <summary>Whether the blocks tile the matrix exactly.</summary>
    public bool Tiles => Matrix.Rank == 2 && BlockRows > 0 && BlockCols > 0 && Matrix.Rows % BlockRows == 0 && Matrix.Cols % BlockCols == 0;

    /// <summary>Where block <paramref name="index"/> starts: its first row and column in the matrix.</summary>
    public (int Row, int Col) Origin(int index) => (index / GridCols * BlockRows, index % GridCols * BlockCols);

    /// <summary>Block <paramref name="index"/> as a view (allocates one; the backends' loops use <see cref="Origin"/> instead).</summary>
    public Tensor Block(int index)
    {
        var (row, col) = Origin(index);
        return Matrix.RowBlock(row, BlockRows).ColumnBlock(col, BlockCols);
    }
}
