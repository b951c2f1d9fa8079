namespace TpActors.Runtime.Tests.Actors;

// The examples of README.md's Actors and TestKit sections, as written there, so that they keep compiling and working.
public sealed class ReadmeExampleTests : TestKit
{
    private sealed record Add(int Amount);

    private sealed class Counter : ReceiveActor
    {
        private int _total;

        public Counter()
        {
            Receive<Add>(add => _total += add.Amount);
            Receive<string>(_ => Sender.Tell(_total), s => s == "total");
        }
    }

    [Fact]
    public async Task ActorsExample_AskAfterTell_ReturnsTotal()
    {
        var system = ActorSystem.Create("sys");
        var counter = system.ActorOf(Props.Create<Counter>(), "counter");
        Assert.Equal("tpactors://sys/user/counter", counter.Path.ToString());
        counter.Tell(new Add(2));
        int total = await counter.Ask<int>("total", TimeSpan.FromSeconds(1));
        await system.Terminate();
        Assert.Equal(2, total);
    }

    [Fact]
    public void Total_AfterTwoAdds_IsTheirSum()
    {
        var counter = Sys.ActorOf(Props.Create<Counter>());
        counter.Tell(new Add(2));
        counter.Tell(new Add(3));
        counter.Tell("total", TestActor);
        ExpectMsg(5);
    }
}
