using System.CommandLine;
using System.Net;
using TpActors.Host.Dashboard;

namespace TpActors.Host.Commands;

/// <summary><c>--dashboard [HOST:]PORT</c> and <c>--dashboard-keep</c>, as train, verify, launch and host take them.</summary>
internal sealed class DashboardOptions
{
    private readonly Option<string?> _address;
    private readonly Option<bool> _keep = new("--dashboard-keep") { Description = "Keep the page up after the command's work until Ctrl-C (default: it closes with it)." };

    /// <summary>The options, with <paramref name="shows"/> saying what the command's page shows.</summary>
    public DashboardOptions(string shows) => _address = new Option<string?>("--dashboard")
    {
        Description = $"Serve a live page at [HOST:]PORT (default host 127.0.0.1; port 0: the system chooses, and the URL is printed), with " +
            $"Prometheus metrics at /metrics: {shows}. Nothing is fetched from elsewhere.",
        HelpName = "[HOST:]PORT",
    };

    /// <summary>Both options, to add to the command.</summary>
    public IReadOnlyList<Option> All => [_address, _keep];

    /// <summary>Where to serve the page, or null without <c>--dashboard</c>.</summary>
    /// <exception cref="ArgumentException">The address is not [HOST:]PORT of this machine, or <c>--dashboard-keep</c> came alone.</exception>
    public IPEndPoint? Endpoint(ParseResult parse)
    {
        if (parse.GetValue(_address) is { } text) return DashboardServer.ParseEndpoint(text);
        if (parse.GetValue(_keep)) throw new ArgumentException("--dashboard-keep keeps the page of --dashboard [HOST:]PORT up; give --dashboard too.");
        return null;
    }

    /// <summary>Whether the page stays up after the work, until Ctrl-C.</summary>
    public bool Keep(ParseResult parse) => parse.GetValue(_keep);
}
