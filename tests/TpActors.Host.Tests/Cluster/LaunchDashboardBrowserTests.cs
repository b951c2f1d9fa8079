namespace TpActors.Host.Tests.Cluster;

// `launch --dashboard`: the driver's page of a run on host processes that launch started, in a real browser. The issue's
// own case: two hosts of two slots and a TP=4 run, so every slot is used; one host is killed mid-run, the page shows it
// leave the cluster, launch starts a replacement (--max-restarts) and the run recovers onto it.
[Collection(ClusterProcesses.Collection)]
public sealed class LaunchDashboardBrowserTests
{
    [ChromiumFact]
    public async Task ThePage_ListsEveryHost_AndShowsAKilledOneLeave_AndTheRecovery()
    {
        string marker = ClusterProcesses.Marker();
        try
        {
            await using var launch = await DashboardRun.StartAsync("launch", "--nodes", "2", "--slots-per-node", "2", "--dashboard", "0", "--dashboard-keep", "-D", marker,
                "--", "train", "--tp", "4", "--steps", "600", "-D", "tpactors.tensors.backend=managed");
            // "launch: 2 hosts up (127.0.0.1:A, 127.0.0.1:B); running: …", in the order the hosts started.
            string up = launch.Preamble.Single(l => l.StartsWith("launch: 2 hosts up (", StringComparison.Ordinal));
            var addresses = up[(up.IndexOf('(') + 1)..up.IndexOf(')')].Split(", ");
            var hostProcesses = ClusterProcesses.HostsInStartOrder(marker);
            Assert.Equal(2, hostProcesses.Count);
            await using var browser = await HeadlessBrowser.OpenAsync(launch.Url);

            // Every host is a member (beside the driver), Up; the four ranks sit on them; the link between them is shared memory.
            await browser.WaitFor("document.querySelectorAll('#ranks tbody tr').length === 4 && document.querySelectorAll('#members tbody tr').length === 3", 90);
            string members = await browser.Evaluate<string>("document.querySelector('#members tbody').textContent");
            Assert.All(addresses, a => Assert.Contains(a, members));
            Assert.Equal(3, await browser.Evaluate<int>("[...document.querySelectorAll('#members tbody tr')].filter(r => r.cells[1].textContent === 'Up').length"));
            await browser.WaitFor("[...document.querySelectorAll('#members tbody tr')].filter(r => r.cells[2].textContent === '2').length === 2", 30); // each host's slots
            Assert.Equal("0, 1, 2, 3", await browser.Evaluate<string>("[...document.querySelectorAll('#members tbody tr')].flatMap(r => r.cells[3].textContent ? r.cells[3].textContent.split(', ') : []).sort().join(', ')"));
            await browser.WaitFor("document.querySelector('#links tbody').textContent.startsWith('shm')", 60);

            // Kill the younger host (with its two ranks): of two hosts, keep-oldest keeps the oldest's side, as a partition
            // cannot be told from a crash.
            string victim = addresses[1];
            using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", hostProcesses[1].ToString()])!) kill.WaitForExit();

            // Its row turns Unreachable, then Down or Removed; a replacement host joins; the recovery is logged with the time it
            // lost and marked on the timeline.
            string row = $"[...document.querySelectorAll('#members tbody tr')].find(r => r.cells[0].textContent.endsWith('@{victim}'))";
            await browser.WaitFor($"['Unreachable', 'Down', 'Removed'].includes({row}.cells[1].textContent)", 60);
            await browser.WaitFor("document.querySelectorAll('#timeline line.recovery').length >= 1", 60);
            await browser.WaitFor($"['Down', 'Removed'].includes({row}.cells[1].textContent)", 60);
            await browser.WaitFor("[...document.querySelectorAll('#members tbody tr')].filter(r => r.cells[1].textContent === 'Up' && r.cells[2].textContent === '2').length === 2", 90);
            await browser.WaitFor("[...document.querySelectorAll('#recoveries tbody tr')].some(r => r.cells[7].textContent.endsWith(' s'))", 120);
            await browser.WaitFor("document.getElementById('status').textContent === 'finished'", 240);
            Assert.DoesNotContain(victim, await browser.Evaluate<string>("[...document.querySelectorAll('#ranks tbody tr')].map(r => r.cells[1].textContent).join(' ')"));

            await browser.Screenshot("dashboard-cluster.png");
            Assert.Empty(browser.Errors);
        }
        finally
        {
            Assert.Empty(ClusterProcesses.WaitUntilGone(marker, TimeSpan.FromSeconds(30)));
        }
    }
}
