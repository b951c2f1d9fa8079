using System.Diagnostics;

namespace TpActors.Host.Tests;

/// <summary>A <c>tpactors</c> process serving a dashboard: started, its URL read from stderr, its output drained; killed on dispose.</summary>
internal sealed class DashboardRun : IAsyncDisposable
{
    private DashboardRun(Process process, string url, IReadOnlyList<string> preamble)
    {
        Process = process;
        Url = url;
        Preamble = preamble;
    }

    /// <summary>The stderr lines the command printed before the URL (launch's hosts, a cluster run's placement).</summary>
    public IReadOnlyList<string> Preamble { get; }

    /// <summary>The running command.</summary>
    public Process Process { get; }

    /// <summary>The page's URL, as the command printed it ("dashboard: http://…").</summary>
    public string Url { get; }

    /// <summary>Starts <c>tpactors</c> with <paramref name="args"/> (which ask for a dashboard) and waits for its URL.</summary>
    public static async Task<DashboardRun> StartAsync(params string[] args)
    {
        var start = CliProcess.StartInfo(args);
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        var process = Process.Start(start)!;
        try
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var preamble = new List<string>();
            while (await process.StandardError.ReadLineAsync(wait.Token) is { } line)
            {
                if (!line.StartsWith("dashboard: http", StringComparison.Ordinal))
                {
                    preamble.Add(line);
                    continue;
                }
                _ = process.StandardError.ReadToEndAsync(); // drained, so the run never waits on a full pipe
                _ = process.StandardOutput.ReadToEndAsync();
                return new DashboardRun(process, line["dashboard: ".Length..].Trim(), preamble);
            }
            throw new InvalidOperationException($"the process printed no dashboard URL (exit {(process.HasExited ? process.ExitCode : -1)}).");
        }
        catch
        {
            await Stop(process);
            throw;
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => new(Stop(Process));

    private static async Task Stop(Process process)
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }
}
