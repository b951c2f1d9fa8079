using System.Text.Json;

namespace TpActors.Host.Tests.Cluster;

// The dashboard of a run on a cluster of real host processes: every member listed, and a host killed with SIGKILL shown
// Unreachable, then Down and Removed, beside the run's recovery.
[Collection(ClusterProcesses.Collection)]
public sealed class ClusterDashboardTests
{
    [Fact]
    public async Task AKilledHost_TurnsUnreachable_ThenDown_OnThePage()
    {
        string marker = ClusterProcesses.Marker();
        var first = ClusterProcesses.StartHost("--slots", "1", "-D", marker);
        var second = ClusterProcesses.StartHost("--slots", "1", "--seed", first.Address, "-D", marker);
        var spare = ClusterProcesses.StartHost("--slots", "1", "--seed", first.Address, "-D", marker);
        var hosts = new[] { first, second, spare };
        try
        {
            await using var train = await DashboardRun.StartAsync("train", "--tp", "2", "--steps", "3000", "--cluster", first.Address, "--dashboard", "0",
                "-D", "tpactors.tensors.backend=managed");
            string url = train.Url;
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            using var events = new StreamReader(await http.GetStreamAsync(url + "events"));
            using var enough = new CancellationTokenSource(TimeSpan.FromSeconds(150));
            var statuses = new Dictionary<string, List<string>>();
            bool recovered = false;
            string? victimPort = null, rankOneHost = null;
            string Port(string address) => address[(address.LastIndexOf(':') + 1)..];
            while (await events.ReadLineAsync(enough.Token) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                var e = JsonDocument.Parse(line[6..]).RootElement;
                switch (e.GetProperty("type").GetString())
                {
                    case "member":
                        string address = e.GetProperty("address").GetString()!;
                        (statuses.TryGetValue(address, out var list) ? list : statuses[address] = []).Add(e.GetProperty("status").GetString()!);
                        break;
                    case "phase" when e.GetProperty("rank").GetInt32() == 1:
                        rankOneHost = e.GetProperty("host").GetString();
                        break;
                    case "step" when victimPort is null && rankOneHost is not null && e.GetProperty("step").GetInt32() >= 20:
                        victimPort = Port(rankOneHost);
                        hosts.Single(h => Port(h.Address) == victimPort).Process.Kill(); // SIGKILL of rank 1's host, mid-run
                        break;
                    case "recovery":
                        recovered = true;
                        break;
                }
                if (victimPort is not null && statuses.FirstOrDefault(s => Port(s.Key) == victimPort).Value is { } seen && seen.Contains("Removed") && recovered) break;
            }
            Assert.Equal(4, statuses.Count); // three hosts and the driver
            Assert.All(statuses.Values, s => Assert.Equal("Up", s[0]));
            var lost = statuses.Single(s => Port(s.Key) == victimPort).Value;
            Assert.True(lost.IndexOf("Unreachable") > 0 && lost.IndexOf("Down") > lost.IndexOf("Unreachable") && lost.IndexOf("Removed") > lost.IndexOf("Down"),
                $"the killed host went {string.Join(" → ", lost)}");
            Assert.True(recovered, "the run recovered no rank");
        }
        finally
        {
            foreach (var host in hosts.Where(h => !h.Process.HasExited)) ClusterProcesses.Terminate(host.Process);
        }
    }
}
