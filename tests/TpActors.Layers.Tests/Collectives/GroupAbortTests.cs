namespace TpActors.Layers.Tests.Collectives;

// A supervisor abandons a group's rounds: waiting ranks return at once, late messages are dropped, the group re-forms.
public sealed class GroupAbortTests(RankGroups groups) : IClassFixture<RankGroups>
{
    [Fact]
    public async Task Abort_WakesARankWaitingInARound_WithoutWaitingForTheTimeout()
    {
        await using var group = await groups.Start(2, RankGroups.Settings(timeout: TimeSpan.FromMinutes(10)));
        var endpoint = await group.Ranks[0].Ask<CollectiveEndpoint>(GetCollectiveEndpoint.Instance);
        var waiting = group.Ranks[0].Ask<RankDone>(new RunOnRank(group.Name, c => { c.Group.AllReduce(new float[8]); return null; }), TimeSpan.FromMinutes(1));

        groups.Post(endpoint, new AbortGroup(group.Name, "rank 1 failed"));

        var error = await Assert.ThrowsAsync<CollectiveAbortedException>(() => waiting);
        Assert.Contains("rank 1 failed", error.Message);
        Assert.Equal(group.Name, error.Group);
        // Later rounds of the aborted group fail as they start.
        await Assert.ThrowsAsync<CollectiveAbortedException>(() => group.Ranks[0].Ask<RankDone>(new RunOnRank(group.Name, c => { c.Group.Barrier(); return null; })));
    }

    [Fact]
    public void AnAbort_CancelsTheWaitsOfItsGroupOutsideARound_AndNoOtherGroups()
    {
        var inbox = new CollectiveInbox();
        var current = inbox.WhenAborted("run.1");
        Assert.False(current.IsCancellationRequested);
        inbox.Post(new AbortGroup("run.0", "an older attempt"));
        Assert.False(current.IsCancellationRequested);
        inbox.Post(new AbortGroup("run.1", "rank 3 lost its host"));
        Assert.True(current.IsCancellationRequested);
        Assert.Equal("rank 3 lost its host", inbox.AbortReason("run.1"));
        Assert.True(inbox.WhenAborted("run.1").IsCancellationRequested); // asked after the abort: cancelled from the start
        Assert.False(inbox.WhenAborted("run.2").IsCancellationRequested);
    }

    [Fact]
    public async Task ReformedGroup_RunsFromRoundOne_AndIgnoresTheAbortedOnesMessages()
    {
        await using var group = await groups.Start(3);
        var endpoints = await Task.WhenAll(group.Ranks.Select(r => r.Ask<CollectiveEndpoint>(GetCollectiveEndpoint.Instance)));
        // Rank 2 runs a round of the old name alone, so its chunks sit in its peers' inboxes; then the name is aborted.
        var lone = group.Ranks[2].Ask<RankDone>(new RunOnRank(group.Name, c => { c.Group.AllReduce(new float[40]); return null; }), TimeSpan.FromMinutes(1));
        foreach (var endpoint in endpoints) groups.Post(endpoint, new AbortGroup(group.Name, "re-forming"));
        await Assert.ThrowsAsync<CollectiveAbortedException>(() => lone);

        var sums = await group.RunOnEachRank(context =>
        {
            context.Group.Reform(group.Name + ".1", endpoints);
            var buffer = Enumerable.Range(0, 40).Select(i => (float)(i + context.Rank)).ToArray();
            context.Group.AllReduce(buffer);
            return (context.Group.Group, buffer);
        });
        foreach (var (name, buffer) in sums)
        {
            Assert.Equal(group.Name + ".1", name);
            Assert.Equal(Enumerable.Range(0, 40).Select(i => (float)(3 * i + 3)), buffer);
        }
    }

    [Fact]
    public void Reform_RefusesTheOldNameOrAnotherSize()
    {
        var inbox = new CollectiveInbox();
        var members = new[] { new CollectiveEndpoint(ActorRefs.Nobody, 1), new CollectiveEndpoint(ActorRefs.Nobody, 2) };
        var communicator = new Communicator("g", 0, members, inbox, CollectiveSettings.Default, new CollectiveTransport());
        Assert.Contains("new name", Assert.Throws<ArgumentException>(() => communicator.Reform("g", members)).Message);
        Assert.Contains("with 3", Assert.Throws<ArgumentException>(() => communicator.Reform("g.1", [.. members, new CollectiveEndpoint(ActorRefs.Nobody, 3)])).Message);
    }
}
