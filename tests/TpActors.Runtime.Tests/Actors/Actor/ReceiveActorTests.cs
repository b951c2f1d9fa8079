namespace TpActors.Runtime.Tests.Actors;

public sealed class ReceiveActorTests : TestKit
{
    private sealed class Typed : ReceiveActor
    {
        public Typed()
        {
            Receive<int>(n => Sender.Tell($"small {n}", Self), n => n < 10);
            Receive<int>(n => Sender.Tell($"big {n}", Self));
            Receive<string>(s => Sender.Tell($"string {s}", Self));
        }
    }

    [Fact]
    public void Receive_HandlersTriedInOrder_WithPredicates()
    {
        var actor = Sys.ActorOf(Props.Create<Typed>());
        actor.Tell(3, TestActor);
        actor.Tell(30, TestActor);
        actor.Tell("x", TestActor);
        ExpectMsg("small 3");
        ExpectMsg("big 30");
        ExpectMsg("string x");
    }

    [Fact]
    public void Receive_NoHandler_PublishesUnhandledMessage()
    {
        var actor = Sys.ActorOf(Props.Create<Typed>());
        Sys.EventStream.Subscribe<UnhandledMessage>(TestActor);
        actor.Tell(2.5, TestActor);
        var unhandled = ExpectMsg<UnhandledMessage>();
        Assert.Equal(2.5, unhandled.Message);
        Assert.Equal(actor, unhandled.Recipient);
        Assert.Equal(TestActor, unhandled.Sender);
    }

    [Fact]
    public void New_OutsideActorOf_IsRefusedWithAHint()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new Typed());
        Assert.Contains("ActorOf(Props.Create<Typed>", error.Message);
    }

    private sealed class Switch : ReceiveActor
    {
        public Switch()
        {
            Receive<string>(s => Become(On), s => s == "on");
            Receive<string>(s => Sender.Tell("off: " + s, Self));
        }

        private void On()
        {
            Receive<string>(s => BecomeStacked(() => ReceiveAny(m => Sender.Tell("stacked: " + m, Self))), s => s == "push");
            Receive<string>(s => Sender.Tell("on: " + s, Self));
        }
    }

    [Fact]
    public void Become_ReplacesBehavior_BecomeStackedAndUnbecome()
    {
        var actor = Sys.ActorOf(Props.Create<Switch>());
        actor.Tell("a", TestActor);
        actor.Tell("on", TestActor);
        actor.Tell("b", TestActor);
        actor.Tell("push", TestActor);
        actor.Tell("c", TestActor);
        ExpectMsg("off: a");
        ExpectMsg("on: b");
        ExpectMsg("stacked: c");
    }

    private sealed class ContextBecome : ActorBase
    {
        protected override bool Receive(object message)
        {
            if (message is "stack") Context.Become(Stacked, discardOld: false);
            else Sender.Tell("base " + message, Self);
            return true;
        }

        private bool Stacked(object message)
        {
            if (message is "pop") Context.Unbecome();
            else Sender.Tell("stacked " + message, Self);
            return true;
        }
    }

    [Fact]
    public void ContextBecome_Unbecome_PopsBackToPrevious()
    {
        var actor = Sys.ActorOf(Props.Create<ContextBecome>());
        foreach (var m in new[] { "1", "stack", "2", "pop", "3", "pop", "4" }) actor.Tell(m, TestActor);
        ExpectMsg("base 1");
        ExpectMsg("stacked 2");
        ExpectMsg("base 3");
        ExpectMsg("base pop"); // Unbecome never goes below the initial behavior; "pop" then reaches it
        ExpectMsg("base 4");
    }

    /// <summary>Stashes everything until "open", then becomes a forwarder and unstashes.</summary>
    private sealed class Gate : ReceiveActor
    {
        public Gate(IActorRef probe)
        {
            Receive<string>(_ =>
            {
                Become(() => ReceiveAny(m => probe.Tell(m, Self)));
                Stash.UnstashAll();
            }, s => s == "open");
            ReceiveAny(_ => Stash.Stash());
        }
    }

    [Fact]
    public void Stash_AcrossBecome_UnstashedInOriginalOrderBeforeNewMessages()
    {
        var gate = Sys.ActorOf(Props.Create(() => new Gate(TestActor)));
        for (int i = 0; i < 5; i++) gate.Tell(i, null);
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        gate.Tell("open", null);
        gate.Tell(5, null);
        Assert.Equal([0, 1, 2, 3, 4, 5], ReceiveN(6).Cast<int>());
    }

    private sealed class ContextStash : ActorBase
    {
        private bool _open;

        protected override bool Receive(object message)
        {
            if (message is "open")
            {
                _open = true;
                Context.UnstashAll();
            }
            else if (!_open) Context.Stash();
            else Sender.Tell(message, Self);
            return true;
        }
    }

    [Fact]
    public void ContextStash_UnstashAll_KeepsSenders()
    {
        var actor = Sys.ActorOf(Props.Create<ContextStash>());
        var other = CreateTestProbe();
        actor.Tell("first", TestActor);
        actor.Tell("second", other.Ref);
        actor.Tell("open", null);
        ExpectMsg("first");
        other.ExpectMsg("second");
    }

    /// <summary>Each "work" waits on a task the test completes; records start and end.</summary>
    private sealed class AsyncWorker : ReceiveActor
    {
        public AsyncWorker(IActorRef probe, Func<int, Task> work)
        {
            ReceiveAsync<int>(async n =>
            {
                probe.Tell($"start {n}", Self);
                await work(n);
                probe.Tell($"end {n} for {Sender.Path.Name}", Self);
            });
        }
    }

    [Fact]
    public void ReceiveAsync_SuspendsMailboxUntilTaskEnds()
    {
        var gates = Enumerable.Range(0, 2).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var worker = Sys.ActorOf(Props.Create(() => new AsyncWorker(TestActor, n => gates[n].Task)));
        worker.Tell(0, TestActor);
        worker.Tell(1, TestActor);
        ExpectMsg("start 0");
        ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // message 1 waits while message 0's task runs
        gates[0].SetResult();
        ExpectMsg("end 0 for testActor"); // Sender is still message 0's sender after the await
        ExpectMsg("start 1");
        gates[1].SetResult();
        ExpectMsg("end 1 for testActor");
    }

    private sealed class AwaitingReplier : ReceiveActor
    {
        public AwaitingReplier() => ReceiveAsync<string>(async s =>
        {
            await Task.Yield();
            Sender.Tell("after await: " + s); // implicit sender: still this actor after the await
        });
    }

    [Fact]
    public void ReceiveAsync_AfterAwait_ActorIsStillCurrent()
    {
        var replier = Sys.ActorOf(Props.Create<AwaitingReplier>(), "replier");
        replier.Tell("x", TestActor);
        ExpectMsg("after await: x");
        Assert.Equal(replier, LastSender);
    }

    [Fact]
    public void ReceiveAsync_ExceptionAfterAwait_ReachesSupervisor()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var worker = Sys.ActorOf(Props.Create(() => new AsyncWorker(TestActor, async _ =>
        {
            await gate.Task;
            throw new InvalidOperationException("async failure");
        })), "async");
        worker.Tell(0, TestActor);
        ExpectMsg("start 0");
        EventFilter.Exception<InvalidOperationException>("async failure").ExpectOne(() => gate.SetResult());
        // Restarted (default decider): the next message is handled by a fresh instance.
        worker.Tell(1, TestActor);
        ExpectMsg("start 1");
    }

    [Fact]
    public void ReceiveAsync_SynchronousFault_FailsAtOnce()
    {
        var worker = Sys.ActorOf(Props.Create(() => new AsyncWorker(TestActor, _ => Task.FromException(new FormatException("sync fault")))));
        EventFilter.Exception<FormatException>("sync fault").ExpectOne(() => worker.Tell(0, TestActor));
        ExpectMsg("start 0");
    }

    [Fact]
    public void PoisonPill_StopsAfterEarlierMessages()
    {
        var actor = Sys.ActorOf(Props.Create(() => new ReportingActor(TestActor)), "poisoned");
        ExpectMsg("PreStart poisoned");
        Watch(actor);
        actor.Tell("before", null);
        actor.Tell(PoisonPill.Instance, null);
        ExpectMsg("before");
        ExpectMsg("PostStop poisoned");
        ExpectTerminated(actor);
    }

    [Fact]
    public void Kill_FailsWithActorKilled_DefaultDeciderStops()
    {
        var actor = Sys.ActorOf(Props.Create(() => new ReportingActor(TestActor)), "killed");
        ExpectMsg("PreStart killed");
        Watch(actor);
        EventFilter.Exception<ActorKilledException>().ExpectOne(() => actor.Tell(Kill.Instance, null));
        ExpectMsg("PostStop killed");
        ExpectTerminated(actor);
    }
}
