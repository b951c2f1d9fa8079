using System.Text.Json;

namespace TpActors.Host.Tests.Cluster;

// `host --dashboard`: a host's own page, with the cluster's members as it sees them and its log of leases and releases.
[Collection(ClusterProcesses.Collection)]
public sealed class HostDashboardTests
{
    [Fact]
    public async Task AHostsPage_ListsTheMembers_AndLogsAJobsLeaseAndRelease()
    {
        string marker = ClusterProcesses.Marker();
        var pageUrl = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var host = ClusterProcesses.StartHost(line =>
        {
            if (line?.StartsWith("dashboard: http", StringComparison.Ordinal) == true) pageUrl.TrySetResult(line["dashboard: ".Length..].Trim());
        }, "--slots", "2", "--dashboard", "0", "-D", marker);
        try
        {
            string url = await pageUrl.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var train = CliRunner.Run("train", "--cluster", host.Address, "--tp", "2", "--steps", "5", "--hidden", "24", "--ffn", "40", "--batch", "6", "--layers", "2");
            Assert.True(train.ExitCode == 0, train.Error);

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            using var events = new StreamReader(await http.GetStreamAsync(url + "events"));
            using var enough = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var log = new List<string>();
            JsonElement? settings = null, self = null;
            while (!log.Any(l => l.Contains("ended")) && await events.ReadLineAsync(enough.Token) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                var e = JsonDocument.Parse(line[6..]).RootElement.Clone();
                switch (e.GetProperty("type").GetString())
                {
                    case "settings": settings = e.GetProperty("settings"); break;
                    case "member" when e.GetProperty("address").GetString()!.EndsWith("@" + host.Address, StringComparison.Ordinal) && e.GetProperty("slots").GetInt32() > 0: self = e; break;
                    case "log": log.Add(e.GetProperty("line").GetString()!); break;
                }
            }
            Assert.Equal(("host", host.Address, "2"), (settings!.Value.GetProperty("command").GetString(), settings.Value.GetProperty("address").GetString(), settings.Value.GetProperty("slots").GetString()));
            Assert.Equal(("Up", 2), (self!.Value.GetProperty("status").GetString(), self.Value.GetProperty("slots").GetInt32()));
            Assert.Contains(log, l => l.StartsWith("job train leased slots 0, 1", StringComparison.Ordinal));
            Assert.Contains(log, l => l.StartsWith("job train ended: slots 0, 1 free", StringComparison.Ordinal));
        }
        finally
        {
            ClusterProcesses.Terminate(host.Process);
            Assert.Empty(ClusterProcesses.WaitUntilGone(marker, TimeSpan.FromSeconds(30)));
        }
    }
}
