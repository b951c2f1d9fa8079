namespace TpActors.Runtime.Tests.Actors;

public sealed class SupervisionTests : TestKit
{
    /// <summary>A parent with <paramref name="strategy"/> and one ReportingActor child per name, each started.</summary>
    private (IActorRef Parent, IActorRef[] Children) StartSupervised(SupervisorStrategy strategy, params string[] names)
    {
        var parent = Sys.ActorOf(Props.Create<ParentActor>().WithSupervisorStrategy(strategy));
        var children = names.Select(name =>
        {
            parent.Tell(new ParentActor.StartChild(Props.Create(() => new ReportingActor(TestActor)), name), TestActor);
            return ExpectStarted(name);
        }).ToArray();
        return (parent, children);
    }

    /// <summary>The parent's reply (the new ref) and the child's PreStart report race each other; takes both, in either order.</summary>
    private IActorRef ExpectStarted(string name)
    {
        var messages = ReceiveN(2);
        Assert.Contains($"PreStart {name}", messages);
        return messages.OfType<IActorRef>().Single();
    }

    [Fact]
    public void Resume_KeepsInstanceAndState()
    {
        var parent = Sys.ActorOf(Props.Create<ParentActor>().WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Resume)));
        parent.Tell(new ParentActor.StartChild(Props.Create<CountingActor>(), "counter"), TestActor);
        var counter = ExpectMsg<IActorRef>();
        counter.Tell("a", null);
        counter.Tell("b", null);
        EventFilter.Warning("(Resume)").ExpectOne(() => counter.Tell(new InvalidOperationException("oops"), null));
        counter.Tell("count", TestActor);
        ExpectMsg(2); // the count survived the failure
    }

    [Fact]
    public void Restart_FreshInstance_SameRefAndMailbox()
    {
        var parent = Sys.ActorOf(Props.Create<ParentActor>().WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Restart)));
        parent.Tell(new ParentActor.StartChild(Props.Create<CountingActor>(), "counter"), TestActor);
        var counter = ExpectMsg<IActorRef>();
        counter.Tell("a", null);
        counter.Tell("count", TestActor);
        ExpectMsg(1);
        EventFilter.Error("failed while handling InvalidOperationException: oops (Restart)")
            .ExpectOne(() => counter.Tell(new InvalidOperationException("oops"), null));
        counter.Tell("count", TestActor);
        ExpectMsg(0); // a fresh instance behind the same ref
    }

    [Fact]
    public void Restart_HooksRunInAkkaOrder_OldInstanceGetsTheFailingMessage()
    {
        var (_, children) = StartSupervised(new OneForOneStrategy(_ => Directive.Restart), "hooks");
        children[0].Tell(new ArgumentException("bad"), null);
        ExpectMsg("PreRestart hooks bad ArgumentException");
        ExpectMsg("PostStop hooks");     // default PreRestart
        ExpectMsg("PostRestart hooks bad");
        ExpectMsg("PreStart hooks");     // default PostRestart
    }

    [Fact]
    public async Task Restart_WhileMessagesKeepArriving_NoneLostOrReordered()
    {
        var (_, children) = StartSupervised(new OneForOneStrategy(_ => Directive.Restart), "busy");
        var worker = children[0];
        const int messages = 2000;
        var sender = Task.Run(() =>
        {
            for (int i = 0; i < messages; i++)
            {
                worker.Tell(i, TestActor);
                if (i % 500 == 250) worker.Tell(new ArgumentException($"fail at {i}"), TestActor);
            }
        });
        var numbers = new List<int>();
        while (numbers.Count < messages)
        {
            var m = FishForMessage(m => m is int, hint: $"message {numbers.Count} of {messages}");
            numbers.Add((int)m);
        }
        await sender;
        Assert.Equal(Enumerable.Range(0, messages), numbers);
    }

    [Fact]
    public void Stop_StopsOnlyTheFailedChild()
    {
        var (_, children) = StartSupervised(new OneForOneStrategy(_ => Directive.Stop), "a", "b");
        Watch(children[0]);
        children[0].Tell(new Exception("fatal"), null);
        ExpectMsg("PostStop a");
        ExpectTerminated(children[0]);
        children[1].Tell("still here", TestActor);
        ExpectMsg("still here");
    }

    [Fact]
    public void Escalate_ParentRestartedByItsSupervisor_StopsChildFirst()
    {
        var grandparent = Sys.ActorOf(Props.Create<ParentActor>().WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Restart)), "grandparent");
        grandparent.Tell(new ParentActor.StartChild(
            Props.Create(() => new ParentActor(TestActor)).WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Escalate)), "parent"), TestActor);
        var parent = ExpectStarted("parent");
        parent.Tell(new ParentActor.StartChild(Props.Create(() => new ReportingActor(TestActor)), "child"), TestActor);
        var child = ExpectStarted("child");

        child.Tell(new ArgumentException("deep"), null);
        var events = ReceiveN(5).Cast<string>().ToList();
        Assert.Equal("PreRestart parent deep", events[0]);
        Assert.Contains("PostStop parent", events);
        Assert.True(events.IndexOf("PostStop child") < events.IndexOf("PostRestart parent"),
            $"the restart waits for the children PreRestart stopped: {string.Join(", ", events)}");
        Assert.Equal("PreStart parent", events[4]);
    }

    [Fact]
    public void DefaultDecider_InitializationFailure_Stops()
    {
        var parent = Sys.ActorOf(Props.Create<ParentActor>());
        IActorRef? child = null;
        EventFilter.Exception<ActorInitializationException>("failed to start: cannot start").ExpectOne(() =>
        {
            parent.Tell(new ParentActor.StartChild(Props.Create<FailsToStart>(), "broken"), TestActor);
            child = ExpectMsg<IActorRef>();
        });
        Watch(child!);
        ExpectTerminated(child!);
    }

    [Fact]
    public void DefaultDecider_OrdinaryException_Restarts_KilledAndDeathPact_Stop()
    {
        Assert.Equal(Directive.Restart, SupervisorStrategy.DefaultDecider(new InvalidOperationException()));
        Assert.Equal(Directive.Stop, SupervisorStrategy.DefaultDecider(new ActorKilledException("kill")));
        Assert.Equal(Directive.Stop, SupervisorStrategy.DefaultDecider(new DeathPactException(TestActor)));
    }

    [Fact]
    public void RetryWindow_Exhausted_StopsTheChild()
    {
        var (_, children) = StartSupervised(new OneForOneStrategy(2, TimeSpan.FromMinutes(1), _ => Directive.Restart), "flaky");
        var flaky = children[0];
        Watch(flaky);
        for (int i = 1; i <= 2; i++)
        {
            flaky.Tell(new Exception($"failure {i}"), null);
            FishForMessage(m => m is "PreStart flaky", hint: $"restart {i}");
        }
        flaky.Tell(new Exception("failure 3"), null);
        FishForMessage(m => m is Terminated t && t.ActorRef.Equals(flaky), hint: "the third failure is past the limit of 2");
    }

    [Fact]
    public void RetryWindow_CountResetsAfterWindow()
    {
        var stats = new ChildRestartStats(null!);
        var start = DateTimeOffset.UnixEpoch;
        Assert.True(stats.RequestRestartPermission(1, TimeSpan.FromSeconds(10), start));
        Assert.False(stats.RequestRestartPermission(1, TimeSpan.FromSeconds(10), start + TimeSpan.FromSeconds(5)));
        Assert.True(stats.RequestRestartPermission(1, TimeSpan.FromSeconds(10), start + TimeSpan.FromSeconds(30)));
        Assert.False(new ChildRestartStats(null!).RequestRestartPermission(0, null, start));
        Assert.True(new ChildRestartStats(null!).RequestRestartPermission(-1, null, start));
    }

    [Fact]
    public void AllForOne_Restart_RestartsEverySibling()
    {
        var (_, children) = StartSupervised(new AllForOneStrategy(_ => Directive.Restart), "r0", "r1", "r2");
        children[1].Tell(new Exception("rank 1 failed"), null);
        var events = ReceiveN(12).Cast<string>().ToList(); // 4 hooks for each of 3 children
        foreach (var name in new[] { "r0", "r1", "r2" })
        {
            Assert.Contains($"PostRestart {name} rank 1 failed", events);
            Assert.True(events.IndexOf($"PostStop {name}") < events.IndexOf($"PreStart {name}"), string.Join(", ", events));
        }
    }

    [Fact]
    public void AllForOne_Stop_StopsEverySibling()
    {
        var (_, children) = StartSupervised(new AllForOneStrategy(_ => Directive.Stop), "s0", "s1");
        foreach (var child in children) Watch(child);
        children[0].Tell(new Exception("stop all"), null);
        var events = ReceiveN(4);
        Assert.Contains("PostStop s0", events);
        Assert.Contains("PostStop s1", events);
        Assert.Equal(2, events.OfType<Terminated>().Count());
    }

    [Fact]
    public void AllForOne_Resume_ResumesOnlyTheFailedChild()
    {
        var (_, children) = StartSupervised(new AllForOneStrategy(_ => Directive.Resume), "q0", "q1");
        children[0].Tell(new Exception("minor"), null);
        children[0].Tell("after", TestActor);
        children[1].Tell("other", TestActor);
        Assert.Equal(["after", "other"], ReceiveN(2).Order());
        ExpectNoMsg(TimeSpan.FromMilliseconds(100)); // no hooks ran
    }
}
