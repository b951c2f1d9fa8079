namespace TpActors.Runtime.Tests.Actors;

public sealed class DeathWatchTests : TestKit
{
    /// <summary>Watches on request and reports each Terminated; "unwatch" withdraws.</summary>
    private sealed class Watcher : ReceiveActor
    {
        public sealed record WatchIt(IActorRef Target, int Times = 1);
        public sealed record UnwatchIt(IActorRef Target);

        public Watcher(IActorRef probe)
        {
            Receive<WatchIt>(w =>
            {
                for (int i = 0; i < w.Times; i++) Context.Watch(w.Target);
                Sender.Tell("watching", Self);
            });
            Receive<UnwatchIt>(u => Context.Unwatch(u.Target));
            Receive<Terminated>(t => probe.Tell(t, Self));
            Receive<string>(s => Sender.Tell(s, Self));
        }
    }

    [Fact]
    public void Watch_ActorStops_TerminatedDeliveredOnce_EvenWhenWatchedTwice()
    {
        var target = Sys.ActorOf(Props.Create<EchoActor>());
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)));
        watcher.Tell(new Watcher.WatchIt(target, Times: 2), TestActor);
        ExpectMsg("watching");
        Sys.Stop(target);
        Assert.Equal(target, ExpectMsg<Terminated>().ActorRef);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Watch_AlreadyDead_TerminatedDeliveredAtOnce()
    {
        var target = Sys.ActorOf(Props.Create<EchoActor>());
        Watch(target);
        Sys.Stop(target);
        ExpectTerminated(target);

        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)));
        watcher.Tell(new Watcher.WatchIt(target), TestActor);
        ExpectMsg("watching");
        Assert.Equal(target, ExpectMsg<Terminated>().ActorRef);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Watch_NotAnActor_TerminatedAtOnce()
    {
        Watch(ActorRefs.Nobody);
        ExpectTerminated(ActorRefs.Nobody);
    }

    [Fact]
    public void Unwatch_BeforeStop_NoTerminated()
    {
        var target = Sys.ActorOf(Props.Create<EchoActor>());
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)));
        watcher.Tell(new Watcher.WatchIt(target), TestActor);
        ExpectMsg("watching");
        watcher.Tell(new Watcher.UnwatchIt(target), TestActor);
        watcher.Tell("unwatched", TestActor);
        ExpectMsg("unwatched");
        Sys.Stop(target);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Watch_RacingWithStop_AlwaysExactlyOneTerminated()
    {
        // The watch and the stop are sent from two threads at once, so the Watch reaches the target before, during
        // or after its termination; each case must deliver exactly one Terminated.
        const int rounds = 200;
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(TestActor)));
        for (int round = 0; round < rounds; round++)
        {
            var target = Sys.ActorOf(Props.Create(() => new ReportingActor(ActorRefs.Nobody)));
            using var go = new Barrier(2);
            var stopper = Task.Run(() => { go.SignalAndWait(); Sys.Stop(target); });
            go.SignalAndWait();
            watcher.Tell(new Watcher.WatchIt(target), TestActor);
            await stopper;
            ExpectMsg("watching");
            Assert.Equal(target, ExpectMsg<Terminated>(_ => true, hint: $"round {round}").ActorRef);
        }
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // and never a second one
    }

    [Fact]
    public void Terminated_Unhandled_DeathPactStopsTheWatcher()
    {
        var target = Sys.ActorOf(Props.Create<EchoActor>());
        var pact = Sys.ActorOf(Props.Create(() => new PactActor(target)));
        Watch(pact);
        EventFilter.Exception<DeathPactException>().ExpectOne(() => Sys.Stop(target));
        ExpectTerminated(pact);
    }

    private sealed class PactActor : ReceiveActor
    {
        public PactActor(IActorRef target)
        {
            Context.Watch(target);
            Receive<string>(_ => { });
        }
    }

    [Fact]
    public void Terminated_ForChildAndWatcher_BothNotified()
    {
        var parent = Sys.ActorOf(Props.Create(() => new ParentActor(TestActor)), "p");
        ExpectMsg("PreStart p");
        parent.Tell(new ParentActor.StartChild(Props.Create<EchoActor>(), "c"), TestActor);
        var child = ExpectMsg<IActorRef>();
        Watch(child);
        Watch(parent);
        Sys.Stop(parent);
        var events = ReceiveN(3).Select(m => m is Terminated t ? $"Terminated {t.ActorRef.Path.Name}" : (string)m).ToList();
        // Both watches are answered once. The parent's Terminated follows its PostStop; the child's may come before
        // or after the parent's (the two notifications travel from two threads), as in Akka.
        Assert.Contains("Terminated c", events);
        Assert.True(events.IndexOf("PostStop p") < events.IndexOf("Terminated p"), $"Terminated follows PostStop: {string.Join(", ", events)}");
    }
}
