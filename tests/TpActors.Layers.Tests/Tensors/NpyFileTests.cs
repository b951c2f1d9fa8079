namespace TpActors.Layers.Tests.Tensors;

public sealed class NpyFileTests
{
    [Fact]
    public void WriteThenRead_KeepsShapeAndBits_WithAHeaderEndingOnA64ByteBoundary()
    {
        using var dir = new TempDirectory();
        using var matrix = Tensor.FromArray([1.5f, -2, float.Epsilon, 1e30f, 0, -0f], 2, 3);
        using var vector = Tensor.VectorFrom([3, 4, 5]);
        NpyFile.Write(dir.File("m.npy"), matrix);
        NpyFile.Write(dir.File("v.npy"), vector.ColumnBlock(1, 2));

        var bytes = File.ReadAllBytes(dir.File("m.npy"));
        Assert.Equal(0x93, bytes[0]);
        Assert.Equal("NUMPY", System.Text.Encoding.ASCII.GetString(bytes, 1, 5));
        int headerEnd = 10 + BitConverter.ToUInt16(bytes, 8);
        Assert.Equal(0, headerEnd % 64);
        Assert.Contains("'shape': (2, 3)", System.Text.Encoding.ASCII.GetString(bytes, 10, headerEnd - 10));
        Assert.Equal(headerEnd + 6 * 4, bytes.Length);

        using var m = NpyFile.Read(dir.File("m.npy"));
        Assert.Equal(matrix.ToArray().Select(BitConverter.SingleToInt32Bits), m.ToArray().Select(BitConverter.SingleToInt32Bits));
        using var v = NpyFile.Read(dir.File("v.npy"));
        Assert.Equal(1, v.Rank);
        Assert.Equal([4f, 5], v.ToArray());
    }

    [Fact]
    public void Read_OfATruncatedFile_SaysWhatIsMissing()
    {
        using var dir = new TempDirectory();
        using var t = Tensor.Zeros(4, 4);
        NpyFile.Write(dir.File("t.npy"), t);
        var bytes = File.ReadAllBytes(dir.File("t.npy"));
        File.WriteAllBytes(dir.File("t.npy"), bytes[..^8]);
        Assert.Contains("needs 64 data bytes but the file holds 56", Assert.Throws<InvalidDataException>(() => NpyFile.Read(dir.File("t.npy"))).Message);
    }
}
