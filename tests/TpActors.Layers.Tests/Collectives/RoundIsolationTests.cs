namespace TpActors.Layers.Tests.Collectives;

public sealed class RoundIsolationTests(RankGroups groups) : IClassFixture<RankGroups>
{
    [Fact]
    public async Task ConcurrentRoundsOfTwoGroups_SharingARank_DoNotMix()
    {
        // Rank 0 is in group "a" with rank 1 and in group "b" with rank 2. It runs a's round first; meanwhile rank 2 starts
        // b's round and its chunks reach rank 0's inbox early, where they must wait for b's round and not join a's.
        var settings = RankGroups.Settings();
        RankDispatcher.EnsureConfigured(groups.System);
        var ranks = Enumerable.Range(0, 3).Select(r => groups.System.ActorOf(RankActor.Props(r, 1, settings), $"iso-{r}")).ToList();
        var endpoints = await Task.WhenAll(ranks.Select(r => r.Ask<CollectiveEndpoint>(GetCollectiveEndpoint.Instance)));
        await Task.WhenAll(
            ranks[0].Ask<RankDone>(new JoinGroup("a", [endpoints[0], endpoints[1]])),
            ranks[1].Ask<RankDone>(new JoinGroup("a", [endpoints[0], endpoints[1]])),
            ranks[0].Ask<RankDone>(new JoinGroup("b", [endpoints[0], endpoints[2]])),
            ranks[2].Ask<RankDone>(new JoinGroup("b", [endpoints[0], endpoints[2]])));

        static RunOnRank Sum(string group, float value) => new(group, context =>
        {
            var buffer = Enumerable.Repeat(value, 100).ToArray();
            context.Group.AllReduce(buffer);
            return buffer;
        });
        var b2 = ranks[2].Ask<float[]>(Sum("b", 1000));
        var a0 = ranks[0].Ask<float[]>(Sum("a", 1));
        var b0 = ranks[0].Ask<float[]>(Sum("b", 100));
        var a1 = ranks[1].Ask<float[]>(Sum("a", 10));

        Assert.All(await a0, v => Assert.Equal(11, v));
        Assert.All(await a1, v => Assert.Equal(11, v));
        Assert.All(await b0, v => Assert.Equal(1100, v));
        Assert.All(await b2, v => Assert.Equal(1100, v));
        foreach (var rank in ranks) groups.System.Stop(rank);
    }
}
