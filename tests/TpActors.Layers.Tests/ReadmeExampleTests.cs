namespace TpActors.Layers.Tests;

// The README's tensor-parallel example, as written there.
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task TensorParallelGroupExample_Runs()
    {
        var system = ActorSystem.Create("tp");
        await using (var group = await TensorParallelGroup.StartAsync(system, size: 2, RankSettings.Default))
        {
            await group.AskAll<RankDone>(_ => new CreateLayer("mlp", group.Name, new MlpSpec(Hidden: 8, Ffn: 32, Bias: true, Activation.Gelu), Seed: 42));
            using var x = Tensor.Zeros(4, 8);
            var y = await group.AskAll<TensorReply>(_ => new Forward("mlp", x.Clone()));    // every rank: Y [4, 8]
            var dx = await group.AskAll<TensorReply>(_ => new Backward("mlp", Tensor.Zeros(4, 8)));
            var sums = await group.RunOnEachRank(rank => { var b = new float[] { rank.Rank }; rank.Group.AllReduce(b); return b[0]; });

            Assert.All(y, r => Assert.Equal([4, 8], r.Tensor.Shape));
            Assert.All(dx, r => Assert.Equal([4, 8], r.Tensor.Shape));
            Assert.Equal([1f, 1f], sums);
        }
        await system.Terminate();
    }
}
