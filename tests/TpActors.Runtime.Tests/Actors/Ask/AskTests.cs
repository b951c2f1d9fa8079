namespace TpActors.Runtime.Tests.Actors;

public sealed class AskTests() : TestKit(scheduler: new TestScheduler())
{
    private sealed class Silent : ReceiveActor
    {
        public Silent() => ReceiveAny(_ => { });
    }

    private sealed record Question(int N);

    [Fact]
    public async Task Ask_NoReply_TimesOutNamingTargetAndMessageType()
    {
        var silent = Sys.ActorOf(Props.Create<Silent>(), "silent");
        var answer = silent.Ask<int>(new Question(1), TimeSpan.FromSeconds(2));
        TestScheduler.Advance(TimeSpan.FromSeconds(1));
        Assert.False(answer.IsCompleted);
        TestScheduler.Advance(TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<AskTimeoutException>(() => answer);
        Assert.Contains("tpactors://AskTests/user/silent", error.Message);
        Assert.Contains("Question", error.Message);
        Assert.Contains("2000 ms", error.Message);
    }

    [Fact]
    public async Task Ask_DefaultTimeout_ComesFromConfig()
    {
        var silent = Sys.ActorOf(Props.Create<Silent>());
        var answer = silent.Ask<int>(new Question(2));
        TestScheduler.Advance(Sys.Settings.AskTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(answer.IsCompleted);
        TestScheduler.Advance(TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<AskTimeoutException>(() => answer);
    }

    [Fact]
    public async Task Ask_StatusFailureReply_FaultsWithTheCause()
    {
        var probe = CreateTestProbe();
        var answer = probe.Ref.Ask<int>("q");
        probe.ExpectMsg("q");
        probe.Reply(new Status.Failure(new FormatException("no number")));
        Assert.Equal("no number", (await Assert.ThrowsAsync<FormatException>(() => answer)).Message);
    }

    [Fact]
    public async Task Ask_WrongReplyType_FaultsNamingBothTypes()
    {
        var probe = CreateTestProbe();
        var answer = probe.Ref.Ask<int>("q");
        probe.ExpectMsg("q");
        probe.Reply("not a number");
        var error = await Assert.ThrowsAsync<InvalidCastException>(() => answer);
        Assert.Contains("Int32", error.Message);
        Assert.Contains("String", error.Message);
    }

    [Fact]
    public async Task Ask_SecondReply_GoesToDeadLetters()
    {
        var probe = CreateTestProbe();
        var answer = probe.Ref.Ask<int>("q");
        probe.ExpectMsg("q");
        var asker = probe.LastSender;
        probe.Reply(1);
        Assert.Equal(1, await answer);
        EventFilter.DeadLetter<int>().ExpectOne(() => asker.Tell(2, null));
        Assert.StartsWith("tpactors://AskTests/temp/", asker.Path.ToString());
    }

    [Fact]
    public async Task Ask_Cancelled_CancelsTheTask()
    {
        using var cancel = new CancellationTokenSource();
        var answer = Sys.ActorOf(Props.Create<Silent>()).Ask<int>(new Question(3), cancellationToken: cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => answer);
    }
}
