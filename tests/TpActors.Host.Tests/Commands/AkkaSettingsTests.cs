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
}
