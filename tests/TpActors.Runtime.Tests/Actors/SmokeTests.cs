namespace TpActors.Runtime.Tests.Actors;

public sealed class SmokeTests : TestKit
{
    [Fact]
    public void Tell_ToEcho_RepliesToSender()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>(), "echo");
        echo.Tell("hello", TestActor);
        ExpectMsg("hello");
        Assert.Equal("tpactors://SmokeTests/user/echo", echo.Path.ToString());
    }

    [Fact]
    public async Task Ask_Echo_ReturnsReply()
    {
        var echo = Sys.ActorOf(Props.Create<EchoActor>());
        Assert.Equal(42, await echo.Ask<int>(42));
    }
}
