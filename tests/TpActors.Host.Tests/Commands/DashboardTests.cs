using System.Text.Json;

namespace TpActors.Host.Tests.Commands;

// `train --dashboard`: a real process serving the page, its script and the run's events over Server-Sent Events while it trains.
public sealed class DashboardTests
{
    [Fact]
    public async Task ThePage_AndTheRunsEvents_AreServedWhileItTrains()
    {
        await using var run = await DashboardRun.StartAsync("train", "--tp", "2", "--steps", "400", "--fault", "1:40:backward", "--dashboard", "0", "--dashboard-keep",
            "-D", "tpactors.tensors.backend=managed");
        string url = run.Url;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        string page = await http.GetStringAsync(url);
        Assert.Contains("<script src=\"/dashboard.js\"></script>", page);
        Assert.Contains("new EventSource(\"/events\")", await http.GetStringAsync(url + "dashboard.js"));

        // The stream: the settings first, this process as a member, steps with their loss, each rank's phases, the recovery, the end.
        var seen = new HashSet<string>();
        var types = new List<JsonElement>();
        JsonElement? forward = null;
        using var events = new StreamReader(await http.GetStreamAsync(url + "events"));
        using var enough = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (!seen.Contains("done") && await events.ReadLineAsync(enough.Token) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            var e = JsonDocument.Parse(line[6..]).RootElement.Clone();
            if (seen.Add(e.GetProperty("type").GetString()!)) types.Add(e);
            if (forward is null && e.GetProperty("type").GetString() == "phase" && e.GetProperty("phase").GetString() == "forward") forward = e;
        }
        Assert.Equal("settings", types[0].GetProperty("type").GetString());
        Assert.Equal("2", types[0].GetProperty("settings").GetProperty("tp").GetString());
        Assert.Superset(new HashSet<string> { "settings", "member", "step", "phase", "recovery", "resolved", "done" }, seen);
        // A forward carries its GEMM work and its collectives: [operation, link, ranks, bytes, start ms, ms].
        Assert.True(forward!.Value.GetProperty("gemmFlops").GetInt64() > 0);
        var collective = forward.Value.GetProperty("collectives")[0];
        Assert.Equal(("all-reduce", "in-process", 2), (collective[0].GetString(), collective[1].GetString(), collective[2].GetInt32()));
        Assert.True(collective[3].GetInt64() > 0 && collective[5].GetDouble() >= 0);
        Assert.Equal(1, types.Single(e => e.GetProperty("type").GetString() == "resolved").GetProperty("recoveries").GetArrayLength());
        var recovery = types.Single(e => e.GetProperty("type").GetString() == "recovery");
        Assert.Equal((1, 40), (recovery.GetProperty("rank").GetInt32(), recovery.GetProperty("step").GetInt32()));
        Assert.Contains("weights sha256", types.Single(e => e.GetProperty("type").GetString() == "done").GetProperty("summary").GetString());
        Assert.Equal("ok", await http.GetStringAsync(url + "healthz")); // kept up after the run (--dashboard-keep)

        // /metrics parses as Prometheus' text format: HELP and TYPE lines, then samples "name{labels} value".
        string metrics = await http.GetStringAsync(url + "metrics");
        var samples = metrics.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();
        Assert.All(samples, l => Assert.Matches(@"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.eE+-]+|NaN|[+-]Inf$", l));
        Assert.Contains("# TYPE tpactors_step_seconds histogram", metrics);
        Assert.Contains("tpactors_steps_total 400", metrics);
        Assert.Contains("tpactors_recoveries_total{kind=\"threw\"} 1", metrics);
        Assert.Contains("tpactors_members{status=\"Up\"} 1", metrics);
        Assert.Contains("tpactors_phase_seconds_count{phase=\"backward\",rank=\"1\"}", metrics);
        Assert.Contains("tpactors_collective_seconds_count{operation=\"all-reduce\",link=\"in-process\"}", metrics);
        Assert.Matches("tpactors_collective_bytes_total\\{operation=\"all-reduce\",link=\"in-process\"\\} [1-9]", metrics);
        Assert.Matches("tpactors_gemm_flops_total\\{rank=\"1\"\\} [1-9]", metrics);
        Assert.Contains("tpactors_recovery_lost_seconds_total", metrics);
    }

    [Theory]
    [InlineData("--dashboard", "http", "--dashboard http: the port must be a number from 0 to 65535")]
    [InlineData("--dashboard", "example.org:80", "'example.org' is not an IP address to bind")]
    [InlineData("--dashboard-keep", null, "--dashboard-keep keeps the page of --dashboard [HOST:]PORT up; give --dashboard too.")]
    public void BadDashboardOptions_AreUsageErrors(string option, string? value, string expected)
    {
        var result = CliRunner.Run(value is null ? ["train", "--steps", "1", option] : ["train", "--steps", "1", option, value]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
    }

    [Theory]
    [InlineData("--dashboard-keep keeps the page", "verify", "--dashboard-keep")]
    [InlineData("--dashboard 70000: the port must be", "host", "--dashboard", "70000")]
    [InlineData("--dashboard 70000: the port must be", "launch", "--dashboard", "70000", "--", "train", "--steps", "1")]
    [InlineData("--dashboard is given to launch and to its command; give it once", "launch", "--dashboard", "0", "--", "train", "--dashboard=0")]
    [InlineData("--max-restarts 101: must be 0 to 100", "launch", "--max-restarts", "101", "--", "train", "--steps", "1")]
    public void VerifyHostAndLaunch_RefuseBadOptions_BeforeStartingAnything(string expected, params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.DoesNotContain("launch:", result.Error); // no host was started
    }
}
