namespace TpActors.Layers.Tests.Parallel;

// The Megatron mappings as conjugate pairs: f (copy / all-reduce), g (all-reduce / copy), scatter and gather.
public sealed class MappingTests(RankGroups groups) : IClassFixture<RankGroups>
{
    [Fact]
    public async Task FAndG_AreIdentityOneWayAndASumTheOther()
    {
        await using var group = await groups.Start(3);
        var results = await group.RunOnEachRank(context =>
        {
            using var x = Tensor.FromArray([context.Rank + 1f, 10f * (context.Rank + 1)], 1, 2);
            bool fForwardIsIdentity = ReferenceEquals(CopyToRegion.Forward(context, x), x);
            bool gBackwardIsIdentity = ReferenceEquals(ReduceFromRegion.Backward(context, x), x);
            var fBackward = CopyToRegion.Backward(context, x.Clone()).ToArray();
            var gForward = ReduceFromRegion.Forward(context, x.Clone()).ToArray();
            return (fForwardIsIdentity, gBackwardIsIdentity, fBackward, gForward);
        });
        foreach (var r in results)
        {
            Assert.True(r.fForwardIsIdentity && r.gBackwardIsIdentity);
            Assert.Equal([6f, 60f], r.fBackward);
            Assert.Equal([6f, 60f], r.gForward);
        }
    }

    [Fact]
    public async Task ScatterThenGather_GivesBackTheFullTensor_WithUnevenBlocks()
    {
        await using var group = await groups.Start(3);
        var full = Enumerable.Range(0, 2 * 7).Select(i => (float)i).ToArray();
        var results = await group.RunOnEachRank(context =>
        {
            using var x = Tensor.FromArray(full, 2, 7);
            using var block = ScatterToRegion.Forward(context, x);
            using var back = GatherFromRegion.Forward(context, block, 7);
            using var again = GatherFromRegion.Backward(context, back);
            return (block.Cols, back.ToArray(), again.ToArray().SequenceEqual(block.ToArray()));
        });
        Assert.Equal([3, 2, 2], results.Select(r => r.Cols));
        Assert.All(results, r => Assert.Equal(full, r.Item2));
        Assert.All(results, r => Assert.True(r.Item3, "gather's backward is the scatter"));
    }
}
