using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Net.ServerSentEvents;

namespace TpActors.Host.Dashboard;

/// <summary>
/// The live page of <c>--dashboard [HOST:]PORT</c>: Kestrel serving the page and its script (embedded in this program;
/// nothing is fetched from elsewhere), <c>/events</c> (the run's <see cref="RunFeed"/> as Server-Sent Events),
/// <c>/metrics</c> (<see cref="RunMetrics"/> in Prometheus' text format) and <c>/healthz</c>. It binds 127.0.0.1 unless told another address; port 0 lets the system choose, and <see cref="Url"/> says which.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private static readonly Dictionary<string, string> Assets = new()
    {
        ["/"] = "index.html",
        ["/dashboard.js"] = "dashboard.js",
        ["/dashboard.css"] = "dashboard.css",
    };

    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>Where the page is, e.g. http://127.0.0.1:8080/.</summary>
    public string Url { get; }

    /// <summary>Parses <c>[HOST:]PORT</c>: a port alone binds 127.0.0.1.</summary>
    /// <exception cref="ArgumentException">Not a port, or not an address.</exception>
    public static IPEndPoint ParseEndpoint(string text)
    {
        int colon = text.LastIndexOf(':');
        string host = colon < 0 ? "127.0.0.1" : text[..colon].Trim('[', ']');
        string port = colon < 0 ? text : text[(colon + 1)..];
        if (!int.TryParse(port, out int number) || number is < 0 or > 65535)
            throw new ArgumentException($"--dashboard {text}: the port must be a number from 0 to 65535 (0: the system chooses).");
        if (host == "localhost") host = "127.0.0.1";
        if (!IPAddress.TryParse(host, out var address))
            throw new ArgumentException($"--dashboard {text}: '{host}' is not an IP address to bind (give 127.0.0.1, 0.0.0.0 or one of this machine's).");
        return new IPEndPoint(address, number);
    }

    /// <summary>Starts serving <paramref name="feed"/> and <paramref name="metrics"/> at <paramref name="endpoint"/>.</summary>
    /// <exception cref="IOException">The address cannot be bound (in use, or not this machine's).</exception>
    public static async Task<DashboardServer> StartAsync(IPEndPoint endpoint, RunFeed feed, RunMetrics metrics)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // the program's stderr is for the run
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(endpoint));
        var app = builder.Build();
        foreach (var (path, asset) in Assets)
            app.MapGet(path, () => Results.Stream(Open(asset), ContentType(asset)));
        app.MapGet("/events", (CancellationToken leave) => TypedResults.ServerSentEvents(Events(feed, leave)));
        app.MapGet("/healthz", () => "ok");
        Prometheus.MetricServerMiddlewareExtensions.MapMetrics(app, "/metrics", metrics.Registry);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"--dashboard {endpoint}: cannot listen there: {e.Message}", e);
        }
        string bound = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DashboardServer(app, bound.TrimEnd('/') + "/");
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async IAsyncEnumerable<SseItem<string>> Events(RunFeed feed, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken leave)
    {
        var reader = feed.Subscribe(leave);
        while (await reader.WaitToReadAsync(leave).ConfigureAwait(false))
            while (reader.TryRead(out string? e)) yield return new SseItem<string>(e);
    }

    private static Stream Open(string asset) =>
        typeof(DashboardServer).Assembly.GetManifestResourceStream($"dashboard/{asset}") ?? throw new InvalidOperationException($"dashboard/{asset} is missing from this build");

    private static string ContentType(string asset) => Path.GetExtension(asset) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        _ => "text/css; charset=utf-8",
    };
}
