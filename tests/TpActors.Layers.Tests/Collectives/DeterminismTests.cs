namespace TpActors.Layers.Tests.Collectives;

public sealed class DeterminismTests(RankGroups groups) : IClassFixture<RankGroups>
{
    [Theory]
    [InlineData(3)]
    [InlineData(6)]
    public async Task AllReduce_OfFractionalValues_IsBitIdentical_OnAllRanksAndAcrossRuns(int ranks)
    {
        float[][] first = await Run(ranks), second = await Run(ranks);
        var bits = (float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
        for (int r = 0; r < ranks; r++)
        {
            Assert.Equal(bits(first[0]), bits(first[r]));  // every rank holds the same bits
            Assert.Equal(bits(first[r]), bits(second[r])); // and so does the next run
        }
    }

    private async Task<float[][]> Run(int ranks)
    {
        await using var group = await groups.Start(ranks);
        return await group.RunOnEachRank(context =>
        {
            using var buffer = Tensor.Uninitialized(1, 1001);
            MasterWeights.FillUniform(buffer, 7, $"rank{context.Rank}", 0, 0, 1001, 1e3f); // sums of these round differently in different orders
            context.Group.AllReduce(buffer.Span);
            return buffer.ToArray();
        });
    }
}
