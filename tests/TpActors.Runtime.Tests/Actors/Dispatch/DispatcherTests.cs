namespace TpActors.Runtime.Tests.Actors;

public sealed class DispatcherTests() : TestKit("""
    few-per-turn { type = thread-pool, throughput = 2 }
    broken { type = fibers }
    """)
{
    /// <summary>Replies with the managed thread id and name it runs on.</summary>
    private sealed class ThreadReporter : ReceiveActor
    {
        public ThreadReporter() => ReceiveAny(_ => Sender.Tell((Environment.CurrentManagedThreadId, Thread.CurrentThread.Name ?? ""), Self));
    }

    [Fact]
    public async Task Pinned_EveryMessageOnOneDedicatedThreadNamedAfterTheActor()
    {
        var pinned = Sys.ActorOf(Props.Create<ThreadReporter>().WithDispatcher(Props.PinnedDispatcherId), "rank-0");
        var replies = new List<(int Id, string Name)>();
        for (int i = 0; i < 20; i++)
        {
            replies.Add(await pinned.Ask<(int, string)>(i));
            await Task.Yield(); // come back on some other thread, so a shared pool would show more than one id
        }
        Assert.Single(replies.Select(r => r.Id).Distinct());
        Assert.Contains("/user/rank-0", replies[0].Name);
    }

    [Fact]
    public void Pinned_TwoActors_TwoThreads()
    {
        var a = Sys.ActorOf(Props.Create<ThreadReporter>().WithDispatcher(Props.PinnedDispatcherId));
        var b = Sys.ActorOf(Props.Create<ThreadReporter>().WithDispatcher(Props.PinnedDispatcherId));
        a.Tell("which", TestActor);
        var first = ExpectMsg<(int Id, string Name)>();
        b.Tell("which", TestActor);
        var second = ExpectMsg<(int Id, string Name)>();
        Assert.NotEqual(first.Id, second.Id);
    }

    private sealed class Recorder : ReceiveActor
    {
        public Recorder(List<int> seen) => Receive<int>(seen.Add);
    }

    [Fact]
    public void CallingThread_MessageHandledBeforeTellReturns_OnTheCallersThread()
    {
        var seen = new List<int>();
        var actor = Sys.ActorOf(Props.Create(() => new Recorder(seen)).WithDispatcher(Props.CallingThreadDispatcherId));
        for (int i = 0; i < 5; i++)
        {
            actor.Tell(i, null);
            Assert.Equal(i + 1, seen.Count); // no waiting: the effect is visible as soon as Tell returns
        }
        var reporter = Sys.ActorOf(Props.Create<ThreadReporter>().WithDispatcher(Props.CallingThreadDispatcherId));
        reporter.Tell("which", TestActor);
        Assert.Equal(Environment.CurrentManagedThreadId, ExpectMsg<(int Id, string Name)>().Id);
    }

    [Fact]
    public void Throughput_FromConfig_LimitsMessagesPerTurn()
    {
        var dispatchers = new Dispatchers(Sys.Config);
        Assert.Equal(2, dispatchers.Lookup("few-per-turn").Throughput);
        Assert.Equal(30, dispatchers.Lookup(Props.DefaultDispatcherId).Throughput);
        Assert.IsType<PinnedDispatcher>(dispatchers.Lookup(Props.PinnedDispatcherId));
        Assert.IsType<CallingThreadDispatcher>(dispatchers.Lookup(Props.CallingThreadDispatcherId));
    }

    [Fact]
    public async Task Mailbox_ThroughputReached_TurnEndsAndOtherMailboxesRun()
    {
        // With throughput 2 on the calling thread, a turn handles two messages, then queued turns of other actors run.
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var system = ActorSystem.Create("turns", Runtime.Configuration.ConfigFactory.ParseString("one-thread { type = calling-thread, throughput = 2 }"));
        try
        {
            var a = system.ActorOf(Props.Create(() => new Forwarder(log, "a")).WithDispatcher("one-thread"));
            var b = system.ActorOf(Props.Create(() => new Forwarder(log, "b")).WithDispatcher("one-thread"));
            var driver = system.ActorOf(Props.Create(() => new Driver(a, b)).WithDispatcher("one-thread"));
            driver.Tell("go", null);
            Assert.Equal(["a0", "a1", "b0", "b1", "a2", "a3", "b2", "b3"], log);
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(System.Collections.Concurrent.ConcurrentQueue<string> log, string name) => Receive<int>(n => log.Enqueue($"{name}{n}"));
    }

    private sealed class Driver : ReceiveActor
    {
        public Driver(IActorRef a, IActorRef b) => Receive<string>(_ =>
        {
            for (int i = 0; i < 4; i++) a.Tell(i, Self);
            for (int i = 0; i < 4; i++) b.Tell(i, Self);
        });
    }

    [Theory]
    [InlineData("no-such-dispatcher", "'no-such-dispatcher' is not configured")]
    [InlineData("broken", "broken.type is 'fibers'")]
    public void WithDispatcher_BadSetting_IsRefusedNamingIt(string id, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Sys.ActorOf(Props.Create<EchoActor>().WithDispatcher(id)));
        Assert.Contains(expected, error.Message);
    }
}
