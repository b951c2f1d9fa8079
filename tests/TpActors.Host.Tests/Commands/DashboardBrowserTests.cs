namespace TpActors.Host.Tests.Commands;

// The dashboard in a real browser (Debian's chromium, driven by PuppeteerSharp) while a real run with an injected fault
// trains, and verify's page with its checks.
public sealed class DashboardBrowserTests
{
    [ChromiumFact]
    public async Task ThePage_ShowsTheRunLive_WithItsRecovery_AndNoScriptErrors()
    {
        await using var run = await DashboardRun.StartAsync("train", "--tp", "2", "--steps", "600", "--fault", "1:597:backward", "--dashboard", "0", "--dashboard-keep",
            "-D", "tpactors.tensors.backend=managed");
        await using var browser = await HeadlessBrowser.OpenAsync(run.Url);

        // The loss chart gains points as the run goes.
        const string LossPath = "((document.querySelector('#loss path') || { getAttribute: () => '' }).getAttribute('d') || '')";
        await browser.WaitFor($"{LossPath}.length > 0", 60);
        int before = (await browser.Evaluate<string>(LossPath)).Length;
        await browser.WaitFor($"{LossPath}.length > {before}", 60);

        // The recovery (3 steps before the end, so within the timeline's last steps): in the log, and on the timeline; then the run is over.
        await browser.WaitFor("document.querySelectorAll('#recoveries tbody tr').length === 1", 120);
        await browser.WaitFor("document.getElementById('status').textContent === 'finished'", 120);
        string recovery = await browser.Evaluate<string>("document.querySelector('#recoveries tbody tr').textContent");
        Assert.Contains("597", recovery);
        Assert.Contains("backward", recovery);
        Assert.True(await browser.Evaluate<bool>("document.querySelector('#recoveries tbody tr').textContent.endsWith(' s')"), "the recovery's time lost is not shown");
        Assert.True(await browser.Evaluate<int>("document.querySelectorAll('#timeline line.recovery').length") >= 1, "no recovery on the timeline");
        Assert.True(await browser.Evaluate<int>("document.querySelectorAll('#timeline rect').length") > 10, "no phases on the timeline");
        Assert.True(await browser.Evaluate<int>("document.querySelectorAll('#timeline rect.collective').length") > 0, "no collectives inside the phases");

        // Each rank's GEMM GFLOP/s, and the in-process link's bandwidth of the last collectives.
        var gflops = await browser.Evaluate<string[]>("[...document.querySelectorAll('#ranks tbody tr')].map(r => r.cells[2].textContent)");
        Assert.Equal(2, gflops.Length);
        Assert.All(gflops, g => Assert.True(double.Parse(g, System.Globalization.CultureInfo.InvariantCulture) > 0, $"GEMM GFLOP/s {g}"));
        Assert.StartsWith("in-process", await browser.Evaluate<string>("document.querySelector('#links tbody').textContent"));

        // The member table lists the run's process with both ranks.
        string members = await browser.Evaluate<string>("document.querySelector('#members tbody').textContent");
        Assert.Contains("this process", members);
        Assert.Contains("0, 1", members);

        Assert.True(new FileInfo(await browser.Screenshot("dashboard.png")).Length > 10_000, "the screenshot is empty");
        Assert.Empty(browser.Errors);
    }

    [ChromiumFact]
    public async Task VerifysPage_ListsItsChecks_AndHidesTheTrainingSections()
    {
        await using var run = await DashboardRun.StartAsync("verify", "--tp", "2", "--dashboard", "0", "--dashboard-keep");
        await using var browser = await HeadlessBrowser.OpenAsync(run.Url);
        await browser.WaitFor("document.getElementById('status').textContent === 'finished'", 60);
        int checks = await browser.Evaluate<int>("document.querySelectorAll('#checks tbody tr').length");
        Assert.True(checks >= 10, $"{checks} checks listed");
        Assert.Equal(checks, await browser.Evaluate<int>("[...document.querySelectorAll('#checks tbody tr')].filter(r => r.cells[5].textContent === 'yes').length"));
        Assert.StartsWith("PASSED", await browser.Evaluate<string>("document.getElementById('progress').textContent"));
        Assert.True(await browser.Evaluate<bool>("document.getElementById('loss').closest('section').hidden"), "verify's page shows a loss chart");
        Assert.Empty(browser.Errors);
    }
}
