using System.Text.Json;

namespace TpActors.Host.Tests.Commands;

// Shape and argument handling only: the figures themselves are timings, which never go into assertions.
public sealed class BenchActorsCommandTests
{
    [Fact]
    public void Json_PrintsOneObjectWithTheThreeNamedResultsAndTheirBaselines()
    {
        var result = CliRunner.Run("bench", "actors", "--json", "--messages", "20000", "--runs", "1", "--senders", "4", "--in-flight", "10");
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        var machine = json.RootElement.GetProperty("machine");
        Assert.True(machine.GetProperty("cores").GetInt32() > 0);
        Assert.False(string.IsNullOrWhiteSpace(machine.GetProperty("cpu").GetString()));
        Assert.Equal("none", machine.GetProperty("backend").GetString());

        var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["ping-pong 1 pair", "ping-pong 2 pairs", "fan-in", "256 KiB chunk Tell to a pinned rank"], results.Select(r => r.GetProperty("name").GetString()));
        foreach (var r in results)
        {
            Assert.Equal("msg/s", r.GetProperty("unit").GetString());
            Assert.Contains("System.Threading.Channels", r.GetProperty("baseline").GetString());
            double value = r.GetProperty("value").GetDouble(), baseline = r.GetProperty("baseline_value").GetDouble();
            Assert.True(value > 0 && baseline > 0, "both sides measured a positive rate");
            Assert.True(Math.Abs(value / baseline - r.GetProperty("ratio").GetDouble()) < 0.01, "ratio is value over baseline_value (both rounded in the JSON)");
            Assert.True(r.GetProperty("bytes_per_message").GetDouble() >= 0);
        }
        Assert.Contains("ping-pong 1 pair:", result.Error); // progress goes to stderr, keeping stdout one JSON object
    }

    [Fact]
    public void Table_IsTheDefault_WithRatios()
    {
        var result = CliRunner.Run("bench", "actors", "--messages", "10000", "--runs", "1", "--senders", "2");
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("ratio", result.Out);
        Assert.Contains("fan-in", result.Out);
        Assert.Contains("machine:", result.Out);
    }

    [Theory]
    [InlineData("--messages", "5", "--messages 5: must be at least 1000 (tpactors.bench.actors.messages)")]
    [InlineData("--in-flight", "0", "--in-flight 0: must be at least 1")]
    [InlineData("--runs", "0", "--runs 0: must be at least 1")]
    public void BadArgument_IsAUsageError_NamingIt(string option, string value, string expected)
    {
        var result = CliRunner.Run("bench", "actors", option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
    }

    [Fact]
    public void Defaults_ComeFromReferenceConf_AndDefinesOverrideThem()
    {
        var result = CliRunner.Run("bench", "actors", "-D", "tpactors.bench.actors.messages=3", "--runs", "1");
        Assert.Equal(1, result.ExitCode); // a bad setting is bad input, named where it was set
        Assert.Contains("-D[1]:1:32: 'tpactors.bench.actors.messages' must be at least 1000, but is 3", result.Error);
    }
}
