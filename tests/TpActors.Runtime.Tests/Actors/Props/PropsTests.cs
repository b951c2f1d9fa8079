namespace TpActors.Runtime.Tests.Actors;

public sealed class PropsTests : TestKit
{
    [Fact]
    public void Create_WithConstructorArguments_BuildsTheActor()
    {
        var actor = Sys.ActorOf(Props.Create<ReportingActor>(TestActor), "with-args");
        ExpectMsg("PreStart with-args");
        actor.Tell("hi", TestActor);
        ExpectMsg("hi");
    }

    [Fact]
    public void Create_NoMatchingConstructor_IsRefusedNamingTheArgumentTypes()
    {
        var error = Assert.Throws<ArgumentException>(() => Props.Create<ReportingActor>(42, "x"));
        Assert.Contains("ReportingActor has no public constructor taking (Int32, String)", error.Message);
    }

    [Fact]
    public void With_ReturnsChangedCopies_OriginalUntouched()
    {
        var props = Props.Create<EchoActor>();
        var strategy = new AllForOneStrategy(_ => Directive.Stop);
        var changed = props.WithDispatcher(Props.PinnedDispatcherId).WithMailbox(Props.BoundedMailboxId).WithSupervisorStrategy(strategy);
        Assert.Equal(Props.DefaultDispatcherId, props.Dispatcher);
        Assert.Equal(Props.DefaultMailboxId, props.Mailbox);
        Assert.Null(props.SupervisorStrategy);
        Assert.Equal(Props.PinnedDispatcherId, changed.Dispatcher);
        Assert.Equal(Props.BoundedMailboxId, changed.Mailbox);
        Assert.Same(strategy, changed.SupervisorStrategy);
        Assert.Equal(typeof(EchoActor), changed.ActorType);
    }

    [Fact]
    public void Factory_RunsAgainOnRestart()
    {
        int made = 0;
        var actor = Sys.ActorOf(Props.Create(() => { made++; return new CountingActor(); }));
        actor.Tell("count", TestActor);
        ExpectMsg(0);
        actor.Tell(new Exception("restart me"), null);
        actor.Tell("count", TestActor);
        ExpectMsg(0);
        Assert.Equal(2, made);
    }
}
