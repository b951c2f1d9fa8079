using System.Collections.Concurrent;

namespace TpActors.Runtime.Tests.Actors;

public sealed class MailboxTests() : TestKit("""
    bounded-drop { type = bounded, capacity = 2, overflow = dead-letters }
    bounded-wait { type = bounded, capacity = 2, overflow = back-pressure, push-timeout = 30s }
    bounded-brief { type = bounded, capacity = 1, overflow = back-pressure, push-timeout = 20ms }
    """)
{
    private sealed record Numbered(int Sender, int Sequence);

    /// <summary>Checks that each sender's sequence numbers arrive in order and counts them; reports on "report".</summary>
    private sealed class OrderChecker : ReceiveActor
    {
        private readonly int[] _next;
        private long _received;
        private long _outOfOrder;

        public OrderChecker(int senders)
        {
            _next = new int[senders];
            Receive<Numbered>(m =>
            {
                if (m.Sequence != _next[m.Sender]) _outOfOrder++;
                _next[m.Sender] = m.Sequence + 1;
                _received++;
            });
            Receive<string>(_ => Sender.Tell((_received, _outOfOrder), Self));
        }
    }

    [Fact]
    public async Task MillionMessages_100SendersTo10Actors_NoneLost_PerPairOrderKept()
    {
        const int senders = 100, receivers = 10, perPair = 1000; // 100 x 10 x 1000 = 1,000,000 messages
        var actors = Enumerable.Range(0, receivers).Select(i => Sys.ActorOf(Props.Create(() => new OrderChecker(senders)), $"receiver-{i}")).ToArray();
        var tasks = Enumerable.Range(0, senders).Select(s => Task.Run(() =>
        {
            for (int seq = 0; seq < perPair; seq++)
                foreach (var actor in actors) actor.Tell(new Numbered(s, seq), null);
        })).ToArray();
        await Task.WhenAll(tasks);

        foreach (var actor in actors)
        {
            var (received, outOfOrder) = await actor.Ask<(long, long)>("report", TimeSpan.FromSeconds(60));
            Assert.Equal((long)senders * perPair, received);
            Assert.Equal(0, outOfOrder);
        }
    }

    /// <summary>Blocks on the first message until released, then reports how many user messages it handled.</summary>
    private sealed class Blocker : ReceiveActor
    {
        private int _handled;

        public Blocker(ManualResetEventSlim release, IActorRef probe)
        {
            Receive<string>(_ =>
            {
                probe.Tell("blocked", Self);
                release.Wait();
            }, s => s == "block");
            ReceiveAny(_ => _handled++);
        }

        protected override void PostStop() => Context.System.EventStream.Publish($"handled {_handled}");
    }

    [Fact]
    public void SystemMessages_OvertakeQueuedUserMessages()
    {
        using var release = new ManualResetEventSlim();
        var blocker = Sys.ActorOf(Props.Create(() => new Blocker(release, TestActor)));
        Sys.EventStream.Subscribe<string>(TestActor);
        blocker.Tell("block", null);
        ExpectMsg("blocked");
        for (int i = 0; i < 100; i++) blocker.Tell(i, null);
        Watch(blocker);
        EventFilter.DeadLetter<int>().Expect(100, () =>
        {
            Sys.Stop(blocker); // queued behind the blocked message, but ahead of the 100 user messages
            release.Set();
            ExpectMsg("handled 0");
            ExpectTerminated(blocker);
        });
    }

    [Fact]
    public void Bounded_DeadLettersOverflow_DropsWhatDoesNotFit()
    {
        using var release = new ManualResetEventSlim();
        var blocker = Sys.ActorOf(Props.Create(() => new Blocker(release, TestActor)).WithMailbox("bounded-drop"));
        blocker.Tell("block", null);
        ExpectMsg("blocked");
        EventFilter.DeadLetter<int>().Expect(3, () =>
        {
            for (int i = 0; i < 5; i++) blocker.Tell(i, null); // 2 fit
        });
        release.Set();
    }

    [Fact]
    public async Task Bounded_BackPressure_BlocksSenderUntilRoom_LosesNothing()
    {
        using var release = new ManualResetEventSlim();
        var counter = Sys.ActorOf(Props.Create<CountingActor>().WithMailbox("bounded-wait"));
        var blocker = Sys.ActorOf(Props.Create(() => new Blocker(release, TestActor)).WithMailbox("bounded-wait"));
        blocker.Tell("block", null);
        ExpectMsg("blocked");
        var sender = Task.Run(() =>
        {
            for (int i = 0; i < 10; i++) blocker.Tell(i, null);
        });
        // The sender cannot finish: 10 messages do not fit in 2 slots while the actor is blocked.
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.False(sender.IsCompleted, "a back-pressured sender waits for room while the actor is blocked");
        release.Set();
        await sender.WaitAsync(TimeSpan.FromSeconds(30));

        for (int i = 0; i < 100; i++) counter.Tell(i, null);
        Assert.Equal(100, await counter.Ask<int>("count"));
    }

    [Fact]
    public void Bounded_BackPressureTimeout_GoesToDeadLetters()
    {
        using var release = new ManualResetEventSlim();
        var blocker = Sys.ActorOf(Props.Create(() => new Blocker(release, TestActor)).WithMailbox("bounded-brief"));
        blocker.Tell("block", null);
        ExpectMsg("blocked");
        blocker.Tell(0, null); // fills the one slot
        EventFilter.DeadLetter<int>().ExpectOne(() => blocker.Tell(1, null));
        release.Set();
    }

    [Fact]
    public void WithMailbox_Unknown_IsRefusedNamingThePath()
    {
        var error = Assert.Throws<ArgumentException>(() => Sys.ActorOf(Props.Create<EchoActor>().WithMailbox("no-such-mailbox")));
        Assert.Contains("'no-such-mailbox' is not configured", error.Message);
    }

    [Fact]
    public void Tell_ToStoppedActor_GoesToDeadLetters_NeverThrows()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        Watch(echo);
        Sys.Stop(echo);
        ExpectTerminated(echo);
        Sys.EventStream.Subscribe<DeadLetter>(TestActor);
        echo.Tell("too late", TestActor);
        var letter = ExpectMsg<DeadLetter>();
        Assert.Equal("too late", letter.Message);
        Assert.Equal(echo, letter.Recipient);
        Assert.Equal(TestActor, letter.Sender);
    }

    [Fact]
    public async Task Tell_ConcurrentWithStop_EveryMessageHandledOrDeadLettered()
    {
        var received = new ConcurrentBag<int>();
        var dead = new ConcurrentBag<int>();
        Sys.EventStream.Subscribe<DeadLetter>(TestActor);
        var counter = Sys.ActorOf(Props.Create(() => new Collector(received)));
        const int messages = 20000;
        var sender = Task.Run(() =>
        {
            for (int i = 0; i < messages; i++) counter.Tell(i, null);
        });
        Sys.Stop(counter);
        await sender;
        Watch(counter);
        var seen = received.Count;
        while (seen + dead.Count < messages)
        {
            var m = FishForMessage(m => m is DeadLetter { Message: int } || m is Terminated, TimeSpan.FromSeconds(10));
            if (m is DeadLetter { Message: int n }) dead.Add(n);
            seen = received.Count;
        }
        Assert.Equal(messages, received.Count + dead.Count);
        Assert.Empty(received.Intersect(dead));
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(ConcurrentBag<int> received) => Receive<int>(received.Add);
    }
}
