namespace TpActors.Runtime.Tests.Actors;

public sealed class ActorRefTests : TestKit
{
    [Fact]
    public async Task Equality_SameActor_EqualAcrossLookups()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>(), "echo");
        var found = await Sys.ActorSelection("/user/echo").ResolveOne();
        Assert.Equal(echo, found);
        Assert.True(echo.Equals(found));
        Assert.Equal(echo.GetHashCode(), found.GetHashCode());
    }

    /// <summary>Starts a child named "reborn" and watches it; when it stops, starts another under the same name and replies with it.</summary>
    private sealed class Reviver : ReceiveActor
    {
        public Reviver(IActorRef probe)
        {
            // A watching parent handles Terminated after its ChildTerminated (both system messages, in that order,
            // come before the Terminated user message), so the name is free again here.
            Receive<Terminated>(_ => probe.Tell(Start(), Self));
            probe.Tell(Start(), Self);
        }

        private IActorRef Start() => Context.Watch(Context.ActorOf(Props.Create<EchoActor>(), "reborn"));
    }

    [Fact]
    public void Equality_NewIncarnationSameName_NotEqual()
    {
        Sys.ActorOf(Props.Create(() => new Reviver(TestActor)));
        var first = ExpectMsg<IActorRef>();
        Sys.Stop(first);
        var second = ExpectMsg<IActorRef>();
        Assert.Equal(first.Path, second.Path);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void ActorOf_DuplicateName_IsRefused()
    {
        Sys.ActorOf(Props.Create<EchoActor>(), "twin");
        var error = Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create<EchoActor>(), "twin"));
        Assert.Contains("not unique", error.Message);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("$mine", "reserved")]
    [InlineData("a/b", "'/'")]
    [InlineData("with space", "' '")]
    public void ActorOf_BadName_IsRefusedWithTheRule(string name, string expected)
    {
        var error = Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create<EchoActor>(), name));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ActorOf_NoName_GetsGeneratedDistinctNames()
    {
        var a = Sys.ActorOf(Props.Create<EchoActor>());
        var b = Sys.ActorOf(Props.Create<EchoActor>());
        Assert.StartsWith("$", a.Path.Name);
        Assert.NotEqual(a.Path, b.Path);
    }

    [Fact]
    public void ActorPath_ParseAndPrint_RoundTrip()
    {
        var path = ActorPath.Parse("tpactors://sys/user/ranks/rank-0");
        Assert.Equal("sys", path.System);
        Assert.Equal("rank-0", path.Name);
        Assert.Equal("tpactors://sys/user/ranks/rank-0", path.ToString());
        Assert.Equal(path, ActorPath.Root("sys").Child("user").Child("ranks").Child("rank-0"));
        Assert.Throws<FormatException>(() => ActorPath.Parse("akka://sys/user"));
    }

    [Fact]
    public async Task ActorSelection_AbsoluteRelativeAndWildcard_FindTheActors()
    {
        var ranks = Sys.ActorOf(Props.Create<ParentActor>(), "ranks");
        ranks.Tell(new ParentActor.StartChild(Props.Create(() => new ReportingActor(TestActor)), "rank-0"), TestActor);
        ranks.Tell(new ParentActor.StartChild(Props.Create(() => new ReportingActor(TestActor)), "rank-1"), TestActor);
        // The parent's replies and the children's PreStart reports race each other; only each pair's order is fixed.
        var started = ReceiveN(4);
        var refs = started.OfType<IActorRef>().ToList();
        Assert.Equal(["PreStart rank-0", "PreStart rank-1"], started.OfType<string>().Order());
        var (rank0, rank1) = (refs[0], refs[1]);

        Sys.ActorSelection("tpactors://ActorRefTests/user/ranks/rank-0").Tell("absolute", null);
        ExpectMsg("absolute");
        Sys.ActorSelection("/user/ranks/rank-?").Tell("wildcard", null);
        Assert.Equal(["wildcard", "wildcard"], ReceiveN(2));
        Sys.ActorSelection("ranks/rank-1/../rank-0").Tell("relative", null);
        ExpectMsg("relative");
        Assert.Equal(2, Sys.ActorSelection("/user/ranks/*").Resolve().Count);
        Assert.Contains(rank1, Sys.ActorSelection("/user/ranks/*").Resolve());
        Assert.Equal(rank0, await Sys.ActorSelection("/user/ranks/rank-0").ResolveOne());
    }

    [Fact]
    public async Task ActorSelection_NoSuchActor_ResolveOneFailsAndTellGoesToDeadLetters()
    {
        await Assert.ThrowsAsync<ActorNotFoundException>(() => Sys.ActorSelection("/user/missing").ResolveOne());
        EventFilter.DeadLetter<string>().ExpectOne(() => Sys.ActorSelection("/user/missing").Tell("lost", null));
        Assert.Throws<ArgumentException>(() => Sys.ActorSelection("tpactors://other-system/user/a"));
    }

}
