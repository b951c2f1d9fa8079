using PuppeteerSharp;

namespace TpActors.Host.Tests.Commands;

// The dashboard in a real browser (Debian's chromium, driven by PuppeteerSharp) while a real run with an injected fault trains.
public sealed class DashboardBrowserTests
{
    [ChromiumFact]
    public async Task ThePage_ShowsTheRunLive_WithItsRecovery_AndNoScriptErrors()
    {
        await using var run = await DashboardRun.StartAsync("train", "--tp", "2", "--steps", "600", "--fault", "1:597:backward", "--dashboard", "0", "--dashboard-keep",
            "-D", "tpactors.tensors.backend=managed");
        string url = run.Url;
        await using var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = ChromiumFactAttribute.Chromium,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        await using var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1200, Height = 1000 });
        var errors = new List<string>();
        page.Console += (_, e) => { if (e.Message.Type == ConsoleType.Error) lock (errors) errors.Add(e.Message.Text); };
        page.PageError += (_, e) => { lock (errors) errors.Add(e.Message); };
        await page.GoToAsync(url);

        // The loss chart gains points as the run goes.
        const string LossPath = "(document.querySelector('#loss path') || { getAttribute: () => '' }).getAttribute('d') || ''";
        await page.WaitForFunctionAsync($"() => ({LossPath}).length > 0", new WaitForFunctionOptions { Timeout = 60_000 });
        int before = (await page.EvaluateExpressionAsync<string>(LossPath)).Length;
        await page.WaitForFunctionAsync($"() => ({LossPath}).length > {before}", new WaitForFunctionOptions { Timeout = 60_000 });

        // The recovery (3 steps before the end, so within the timeline's last steps): in the log, and on the timeline; then the run is over.
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#recoveries tbody tr').length === 1", new WaitForFunctionOptions { Timeout = 120_000 });
        await page.WaitForFunctionAsync("() => document.getElementById('status').textContent === 'finished'", new WaitForFunctionOptions { Timeout = 120_000 });
        string recovery = await page.EvaluateExpressionAsync<string>("document.querySelector('#recoveries tbody tr').textContent");
        Assert.Contains("597", recovery);
        Assert.Contains("backward", recovery);
        Assert.True(await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#timeline line').length") >= 1, "no recovery on the timeline");
        Assert.True(await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#timeline rect').length") > 10, "no phases on the timeline");
        Assert.True(await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#timeline rect.collective').length") > 0, "no collectives inside the phases");
        Assert.True(await page.EvaluateExpressionAsync<bool>("document.querySelector('#recoveries tbody tr').textContent.endsWith(' s')"), "the recovery's time lost is not shown");

        // Each rank's GEMM GFLOP/s, and the in-process link's bandwidth of the last collectives.
        var ranks = await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#ranks tbody tr')].map(r => r.cells[2].textContent)");
        Assert.Equal(2, ranks.Length);
        Assert.All(ranks, gflops => Assert.True(double.Parse(gflops, System.Globalization.CultureInfo.InvariantCulture) > 0, $"GEMM GFLOP/s {gflops}"));
        string links = await page.EvaluateExpressionAsync<string>("document.querySelector('#links tbody').textContent");
        Assert.StartsWith("in-process", links);

        // The member table lists the run's process with both ranks.
        string members = await page.EvaluateExpressionAsync<string>("document.querySelector('#members tbody').textContent");
        Assert.Contains("this process", members);
        Assert.Contains("0, 1", members);

        string screenshot = Path.Combine(AppContext.BaseDirectory, "dashboard.png");
        await page.ScreenshotAsync(screenshot, new ScreenshotOptions { FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is empty");
        lock (errors) Assert.Empty(errors);
    }
}
