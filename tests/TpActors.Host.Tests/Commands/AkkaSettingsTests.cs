using System.Text.Json;

namespace TpActors.Host.Tests.Commands;

/// <summary>Akka's settings beside the project's: shown by config show, obeyed by the commands, logged to stderr only.</summary>
public sealed class AkkaSettingsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ConfigShow_PrintsTheAkkaSection_BesideTpactors_WithTheUsersValues()
    {
        var file = _dir.Write("both.conf", "akka.actor.default-dispatcher.throughput = 7\ntpactors.training.steps = 12");
        var r = CliRunner.Run("config", "show", "--json", "--config", file, "-D", "akka.loglevel=DEBUG");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var akka = doc.RootElement.GetProperty("akka");
        Assert.Equal("DEBUG", akka.GetProperty("loglevel").GetString());
        Assert.Equal(7, akka.GetProperty("actor").GetProperty("default-dispatcher").GetProperty("throughput").GetInt32());
        Assert.Equal("OFF", akka.GetProperty("stdout-loglevel").GetString()); // reference.conf's, not the user's
        Assert.Equal(12, doc.RootElement.GetProperty("tpactors").GetProperty("training").GetProperty("steps").GetInt32());
        Assert.Equal("PinnedDispatcher", doc.RootElement.GetProperty("tpactors").GetProperty("ranks").GetProperty("dispatcher").GetProperty("type").GetString());
    }

    [Fact]
    public void AkkasLog_GoesToStderr_AndStdoutStaysOneJsonObject()
    {
        var r = CliProcess.Run("verify", "--json", "--tp", "2", "-D", "akka.loglevel=DEBUG");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out); // nothing but the report on stdout
        Assert.True(doc.RootElement.GetProperty("passed").GetBoolean());
        Assert.Contains("dbug:", r.Error); // Akka's debug events, through Microsoft.Extensions.Logging
    }

    [Fact]
    public void AnAkkaValueAkkaCannotHold_IsAnInputError_NamingItsOrigin()
    {
        var file = _dir.Write("trim.conf", "akka.loglevel = \"DEBUG \"");
        var r = CliRunner.Run("verify", "--config", file);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("trim.conf:1:17", r.Error);
        Assert.Contains("'akka.loglevel'", r.Error);
        Assert.Equal("", r.Out);
    }

    [Theory]
    [InlineData("akka.loglevel=LOUD", "-D[1]:1:15: Akka could not start its actor system with 'akka.loglevel' = LOUD: Unknown LogLevel")]
    [InlineData("akka.actor.ask-timeout=soon", "-D[1]:1:24: Akka could not start its actor system with 'akka.actor.ask-timeout' = soon")]
    [InlineData("akka.scheduler.tick-duration=0ms", "-D[1]:1:30: Akka could not start its actor system with 'akka.scheduler.tick-duration' = 0ms")] // named by path, not value
    [InlineData("akka.actor.provider=nowhere", "-D[1]:1:21: Akka could not start its actor system with 'akka.actor.provider' = nowhere")]
    public void AValueAkkaRefuses_IsAnInputError_NamingTheSettingAndWhereItWasSet(string define, string expected)
    {
        var r = CliRunner.Run("verify", "-D", define);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith(expected, r.Error);
        Assert.Single(r.Error.TrimEnd().Split('\n')); // one line, whatever Akka's message looked like
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void AValueAkkaRefuses_InAFile_IsNamedByItsLine()
    {
        var file = _dir.Write("akka.conf", "tpactors.verify.tp = 2\nakka {\n  actor.default-dispatcher.throughput = lots\n}");
        var r = CliRunner.Run("verify", "--json", "--config", file);
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(3, doc.RootElement.GetProperty("line").GetInt32());
        Assert.Contains("'akka.actor.default-dispatcher.throughput' = lots", doc.RootElement.GetProperty("error").GetString());
    }
}
