namespace TpActors.Layers.Tests.Tensors;

public sealed class TensorTests
{
    [Fact]
    public unsafe void Storage_StartsOnA64ByteBoundary_ForEverySize()
    {
        foreach (int n in new[] { 1, 3, 17, 100, 4097 })
        {
            using var t = Tensor.Zeros(1, n);
            fixed (float* p = t.Span) Assert.True((nuint)p % 64 == 0, $"a tensor of {n} floats starts on a cache line");
        }
    }

    [Fact]
    public void RowAndColumnBlocks_AreViewsOfTheSameStorage()
    {
        using var t = Tensor.FromArray([.. Enumerable.Range(0, 12).Select(i => (float)i)], 3, 4);
        var rows = t.RowBlock(1, 2);
        var cols = t.ColumnBlock(1, 2);
        Assert.Equal([4f, 5, 6, 7, 8, 9, 10, 11], rows.ToArray());
        Assert.Equal([1f, 2, 5, 6, 9, 10], cols.ToArray());
        Assert.False(cols.IsContiguous);
        Assert.Equal(4, cols.Stride);
        cols[2, 1] = -1;
        Assert.Equal(-1, t[2, 2]); // a write through the view lands in the parent
    }

    [Fact]
    public void CopyTo_AcrossViews_MovesABlockIntoAContiguousShard()
    {
        using var t = Tensor.FromArray([.. Enumerable.Range(0, 12).Select(i => (float)i)], 3, 4);
        using var shard = Tensor.Uninitialized(3, 2);
        t.ColumnBlock(2, 2).CopyTo(shard);
        Assert.Equal([2f, 3, 6, 7, 10, 11], shard.ToArray());
    }

    [Fact]
    public void ShapeErrors_NameBothShapes()
    {
        using var a = Tensor.Zeros(2, 3);
        using var b = Tensor.Zeros(3, 2);
        var e = Assert.Throws<ArgumentException>(() => a.CopyTo(b));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("[3, 2]", e.Message);
        Assert.Contains("[2, 5)", Assert.Throws<ArgumentOutOfRangeException>(() => a.ColumnBlock(2, 3)).Message);
        Assert.Contains("[4, 2]", Assert.Throws<ArgumentException>(() => a.Reshape(4, 2)).Message);
    }

    [Fact]
    public void Reshape_OfAStridedView_IsRefused()
    {
        using var a = Tensor.Zeros(2, 4);
        Assert.Contains("strided", Assert.Throws<ArgumentException>(() => a.ColumnBlock(0, 2).Reshape(1, 4)).Message);
    }

    [Fact]
    public void Dispose_ThenUse_Throws_AndStorageIsReused()
    {
        var a = Tensor.Zeros(5, 5);
        a.Dispose();
        Assert.Throws<ObjectDisposedException>(() => a.Span.Length);
        using var b = Tensor.Zeros(5, 5);
        Assert.All(b.ToArray(), v => Assert.Equal(0, v)); // Zeros clears pooled storage that may hold old values
    }
}
