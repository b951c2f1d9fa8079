using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace TpActors.Host.Cluster;

/// <summary>
/// <c>tpactors host</c> processes started on this machine (by <c>launch</c>, and by the benches' <c>--processes</c>): each
/// on 127.0.0.1 with OS-chosen ports, the first the seed, all sharing a fresh cluster secret. Each host watches its stdin,
/// which this process holds: closing it (on disposal, or when this process dies by any means) makes the host leave the
/// cluster and exit, so no host outlives its launcher. Their stderr is passed on with a "[host i]" prefix.
/// </summary>
public sealed class HostProcesses : IAsyncDisposable
{
    private readonly List<Process> _processes = [];
    private readonly TextWriter _log;

    private HostProcesses(TextWriter log, string secret)
    {
        _log = TextWriter.Synchronized(log);
        Secret = secret;
    }

    /// <summary>The hosts' addresses, host:port, in start order (the first is the seed).</summary>
    public List<string> Addresses { get; } = [];

    /// <summary>The cluster's secret; a driver of this cluster needs it (see <c>tpactors.cluster.secret</c>).</summary>
    public string Secret { get; }

    /// <summary>The environment variable a driver and the hosts read the secret from.</summary>
    public const string SecretVariable = "TPACTORS_CLUSTER_SECRET";

    /// <summary>Starts <paramref name="nodes"/> hosts of <paramref name="slots"/> slots each, with <paramref name="configArgs"/> (--config, -D), and waits for each one's address.</summary>
    /// <exception cref="InvalidOperationException">A host exited or did not print its address within <paramref name="timeout"/>.</exception>
    public static async Task<HostProcesses> StartAsync(int nodes, int slots, IReadOnlyList<string> configArgs, TextWriter log, TimeSpan timeout)
    {
        var hosts = new HostProcesses(log, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        try
        {
            for (int i = 0; i < nodes; i++)
            {
                var args = new List<string> { "host", "--json", "--exit-on-stdin-close", "--bind", "127.0.0.1:0", "--slots", slots.ToString(System.Globalization.CultureInfo.InvariantCulture) };
                if (i > 0) args.AddRange(["--seed", hosts.Addresses[0]]);
                args.AddRange(configArgs);
                hosts.Addresses.Add(await hosts.StartOne(i, args, timeout).ConfigureAwait(false));
            }
            return hosts;
        }
        catch
        {
            await hosts.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>How to run this program again: its executable, and the assembly when that executable is the dotnet host.</summary>
    public static ProcessStartInfo SelfStartInfo(IEnumerable<string> args)
    {
        string program = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(program);
        if (Path.GetFileNameWithoutExtension(program).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(typeof(HostProcesses).Assembly.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return start;
    }

    private async Task<string> StartOne(int index, List<string> args, TimeSpan timeout)
    {
        var start = SelfStartInfo(args);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.Environment[SecretVariable] = Secret;
        var process = Process.Start(start) ?? throw new InvalidOperationException("The host process did not start.");
        _processes.Add(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) _log.WriteLine($"[host {index}] {e.Data}");
        };
        process.BeginErrorReadLine();
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync().WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            line = null;
        }
        if (line is null)
            throw new InvalidOperationException($"Host {index} ({string.Join(' ', args)}) {(process.HasExited ? $"exited with code {process.ExitCode}" : $"printed no address within {timeout.TotalSeconds:0.###}s")} before it was up.");
        using var document = JsonDocument.Parse(line);
        return document.RootElement.GetProperty("address").GetString()!;
    }

    /// <summary>Tells every host to leave (closes its stdin), waits for them to exit, and kills any that has not after 15 s.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.StandardInput.Close();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
            }
        }
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        foreach (var process in _processes)
        {
            try
            {
                await process.WaitForExitAsync(patience.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _log.WriteLine($"launch: host process {process.Id} did not leave within 15s; killing it");
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }
            process.Dispose();
        }
        _processes.Clear();
    }
}
