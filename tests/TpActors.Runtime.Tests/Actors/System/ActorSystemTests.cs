using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Tests.Actors;

public sealed class ActorSystemTests : TestKit
{
    [Fact]
    public void ActorOf_TopLevel_LivesUnderUserGuardian()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>(), "echo");
        Assert.Equal("tpactors://ActorSystemTests/user/echo", echo.Path.ToString());
        Assert.Equal(["user", "echo"], echo.Path.Elements);
        Assert.Equal("/user", "/" + string.Join('/', echo.Path.Parent!.Elements));
    }

    [Fact]
    public void SystemActorOf_LivesUnderSystemGuardian()
    {
        var internalActor = Sys.SystemActorOf(Props.Create<EchoActor>(), "helper");
        Assert.Equal("tpactors://ActorSystemTests/system/helper", internalActor.Path.ToString());
    }

    [Fact]
    public void Create_InvalidName_IsRefusedWithTheRule()
    {
        var error = Assert.Throws<ArgumentException>(() => ActorSystem.Create("my system"));
        Assert.Contains("letters, digits", error.Message);
    }

    [Fact]
    public void Settings_ComeFromTheActorSection_OverridesApplied()
    {
        using var system = ActorSystem.Create("configured", ConfigFactory.ParseString("tpactors.actor.ask-timeout = 250ms"));
        Assert.Equal(TimeSpan.FromMilliseconds(250), system.Settings.AskTimeout);
        Assert.Equal(10, system.Settings.LogDeadLetters); // from reference.conf
    }

    [Fact]
    public void Settings_BadValue_NamesTheSetting()
    {
        var error = Assert.Throws<ConfigTypeException>(() => ActorSystem.Create("bad", ConfigFactory.ParseString("tpactors.actor.log-dead-letters = -1")));
        Assert.Contains("tpactors.actor.log-dead-letters", error.Message);
    }

    [Fact]
    public void Create_UnknownTpactorsKey_IsRefusedWithASuggestion()
    {
        var error = Assert.Throws<ConfigException>(() => ActorSystem.Create("typo", ConfigFactory.ParseString("tpactors.actor.ask-timout = 1s")));
        Assert.Contains("ask-timout", error.Message);
        Assert.Contains("did you mean", error.Message);
    }

    [Fact]
    public async Task Terminate_StopsChildrenBeforeParents_RunsPostStop_CompletesWhenTerminated()
    {
        var system = ActorSystem.Create("ordered");
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var parent = system.ActorOf(Props.Create(() => new HookRecorder(order, 2)), "parent");
        // Wait until the whole tree is up: the grandchildren answer through their parents.
        Assert.Equal(2, await parent.Ask<int>("count-tree", TimeSpan.FromSeconds(10))); // parent -> level-1 -> level-2

        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));

        var stops = order.ToList();
        Assert.Equal(4, stops.Count); // parent, level-1, level-2, sibling
        int Position(string name) => stops.IndexOf($"PostStop {name}");
        Assert.True(Position("level-2") < Position("level-1"), $"a child stops before its parent: {string.Join(", ", stops)}");
        Assert.True(Position("level-1") < Position("parent"), $"a child stops before its parent: {string.Join(", ", stops)}");
        Assert.True(system.WhenTerminated.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Terminate_SecondCall_IsHarmlessAndReturnsTheSameTask()
    {
        var system = ActorSystem.Create("twice");
        var first = system.Terminate();
        var second = system.Terminate();
        Assert.Same(first, second);
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task ActorOf_AfterTerminate_IsRefused()
    {
        var system = ActorSystem.Create("closed");
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        var error = Assert.Throws<InvalidOperationException>(() => system.ActorOf(Props.Create<EchoActor>(), "late"));
        Assert.Contains("stopping", error.Message);
    }

    /// <summary>Makes a chain of <c>depth</c> children below itself and records each PostStop.</summary>
    private sealed class HookRecorder : ReceiveActor
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _order;
        private readonly IActorRef? _child;

        public HookRecorder(System.Collections.Concurrent.ConcurrentQueue<string> order, int depth)
        {
            _order = order;
            if (depth > 0) _child = Context.ActorOf(Props.Create(() => new HookRecorder(order, depth - 1)), $"level-{3 - depth}");
            if (depth == 2) Context.ActorOf(Props.Create(() => new HookRecorder(order, 0)), "sibling");
            ReceiveAsync<string>(async _ =>
            {
                int below = _child is null ? 0 : await _child.Ask<int>("count-tree");
                Sender.Tell(below + (_child is null ? 0 : 1), Self);
            });
        }

        protected override void PostStop() => _order.Enqueue($"PostStop {Self.Path.Name}");
    }
}
