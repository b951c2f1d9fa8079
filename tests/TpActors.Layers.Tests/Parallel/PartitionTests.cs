namespace TpActors.Layers.Tests.Parallel;

public sealed class PartitionTests
{
    [Theory]
    [InlineData(10, 3)]
    [InlineData(32, 4)]
    [InlineData(2, 5)]
    [InlineData(0, 3)]
    [InlineData(17, 16)]
    public void Parts_AreBalanced_Contiguous_AndCoverTheDimension(int length, int parts)
    {
        var sizes = Partition.Sizes(length, parts);
        Assert.Equal(length, sizes.Sum());
        Assert.True(sizes.Max() - sizes.Min() <= 1, "balanced: sizes differ by at most one");
        Assert.True(sizes.SequenceEqual(sizes.OrderDescending()), "the larger parts come first, as torch.chunk-like splits do");
        for (int r = 1; r < parts; r++) Assert.Equal(Partition.Start(length, parts, r - 1) + sizes[r - 1], Partition.Start(length, parts, r));
    }

    [Fact]
    public void BadArguments_SayWhatIsWrong()
    {
        Assert.Contains("0 parts", Assert.Throws<ArgumentOutOfRangeException>(() => Partition.Size(10, 0, 0)).Message);
        Assert.Contains("Part 3 does not exist among 3", Assert.Throws<ArgumentOutOfRangeException>(() => Partition.Start(10, 3, 3)).Message);
    }
}
