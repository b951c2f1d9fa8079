using PuppeteerSharp;

namespace TpActors.Host.Tests;

/// <summary>Debian's chromium, headless, driven by PuppeteerSharp: one page, whose console errors and script errors are collected.</summary>
internal sealed class HeadlessBrowser : IAsyncDisposable
{
    private readonly IBrowser _browser;
    private readonly List<string> _errors = [];

    private HeadlessBrowser(IBrowser browser, IPage page)
    {
        _browser = browser;
        Page = page;
        page.Console += (_, e) => { if (e.Message.Type == ConsoleType.Error) lock (_errors) _errors.Add(e.Message.Text); };
        page.PageError += (_, e) => { lock (_errors) _errors.Add(e.Message); };
    }

    /// <summary>The page.</summary>
    public IPage Page { get; }

    /// <summary>What the page reported as errors so far.</summary>
    public List<string> Errors
    {
        get
        {
            lock (_errors) return [.. _errors];
        }
    }

    /// <summary>Starts chromium with a 1200×1000 page open at <paramref name="url"/>.</summary>
    public static async Task<HeadlessBrowser> OpenAsync(string url)
    {
        var browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = ChromiumFactAttribute.Chromium,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync();
        var opened = new HeadlessBrowser(browser, page);
        await page.SetViewportAsync(new ViewPortOptions { Width = 1200, Height = 1000 });
        await page.GoToAsync(url);
        return opened;
    }

    /// <summary>Waits up to <paramref name="seconds"/> until <paramref name="condition"/> (a JavaScript expression) holds on the page.</summary>
    public Task WaitFor(string condition, int seconds) =>
        Page.WaitForFunctionAsync($"() => {condition}", new WaitForFunctionOptions { Timeout = seconds * 1000 });

    /// <summary>The value of <paramref name="expression"/> on the page.</summary>
    public Task<T> Evaluate<T>(string expression) => Page.EvaluateExpressionAsync<T>(expression);

    /// <summary>Writes a full-page screenshot to <paramref name="file"/> beside the tests' assembly; its path.</summary>
    public async Task<string> Screenshot(string file)
    {
        string path = Path.Combine(AppContext.BaseDirectory, file);
        await Page.ScreenshotAsync(path, new ScreenshotOptions { FullPage = true });
        return path;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Page.DisposeAsync();
        await _browser.DisposeAsync();
    }
}
