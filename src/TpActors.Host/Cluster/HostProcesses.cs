using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using TpActors.Runtime.Cluster;

namespace TpActors.Host.Cluster;

/// <summary>
/// <c>tpactors host</c> processes started on this machine (by <c>launch</c>, and by the benches' <c>--processes</c>): each
/// on 127.0.0.1 with OS-chosen ports, the first the seed, all sharing a fresh cluster secret. Each host watches its stdin,
/// which this process holds: closing it (on disposal, or when this process dies by any means) makes the host leave the
/// cluster and exit, so no host outlives its launcher. Their stderr is passed on with a "[host i]" prefix. A host that
/// exits before disposal is replaced, up to a number of restarts (torchrun's <c>--max-restarts</c>): once a live host
/// reports the dead one removed from the cluster (a joiner before that would count in the split-brain resolver's vote
/// while the dead one is still a member), a new host of the same slots joins through that live one, and a job that lost
/// ranks with the old one places them on it.
/// </summary>
public sealed class HostProcesses : IAsyncDisposable
{
    private readonly List<Process> _processes = [];   // every host started, the replaced ones too; guarded by _gate
    private readonly Process?[] _current;               // the live host of each index; guarded by _gate
    private readonly TextWriter _log;
    private readonly object _gate = new();
    private readonly List<Task> _replacing = [];        // replacements under way, awaited on disposal; guarded by _gate
    private readonly Dictionary<string, int> _awaitingRemoval = []; // a dead host's address → its index, until a live host reports it removed; guarded by _gate
    private readonly int _slots;                        // what every host offers, a replacement too
    private readonly IReadOnlyList<string> _configArgs;
    private readonly TimeSpan _timeout;
    private readonly int _maxRestarts;
    private bool _disposing;                            // no replacement starts once set; guarded by _gate

    private HostProcesses(TextWriter log, int nodes, int slots, IReadOnlyList<string> configArgs, TimeSpan timeout, int maxRestarts)
    {
        _log = TextWriter.Synchronized(log);
        Secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        _current = new Process?[nodes];
        (_slots, _configArgs, _timeout, _maxRestarts) = (slots, configArgs, timeout, maxRestarts);
    }

    /// <summary>The hosts' addresses, host:port, in start order (the first is the seed); a replaced host's is its replacement's.</summary>
    public List<string> Addresses { get; } = [];

    /// <summary>Hosts replaced so far (or waiting for their replacement).</summary>
    public int Restarts { get; private set; }

    /// <summary>The cluster's secret; a driver of this cluster needs it (see <c>tpactors.cluster.secret</c>).</summary>
    public string Secret { get; }

    /// <summary>The environment variable a driver and the hosts read the secret from.</summary>
    public const string SecretVariable = "TPACTORS_CLUSTER_SECRET";

    /// <summary>Starts <paramref name="nodes"/> hosts of <paramref name="slots"/> slots each, with <paramref name="configArgs"/> (--config, -D), and waits for each one's address.</summary>
    /// <exception cref="InvalidOperationException">A host exited or did not print its address within <paramref name="timeout"/>.</exception>
    public static async Task<HostProcesses> StartAsync(int nodes, int slots, IReadOnlyList<string> configArgs, TextWriter log, TimeSpan timeout, int maxRestarts = 0)
    {
        var hosts = new HostProcesses(log, nodes, slots, configArgs, timeout, maxRestarts);
        try
        {
            for (int i = 0; i < nodes; i++)
                hosts.Addresses.Add(await hosts.StartOne(i, i == 0 ? null : hosts.Addresses[0]).ConfigureAwait(false));
            for (int i = 0; i < nodes; i++) hosts.Watch(i);
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

    // A host's command line: its slots, the seed it joins (none: it starts the cluster), then --config and -D.
    private List<string> HostArguments(string? seed)
    {
        var args = new List<string> { "host", "--json", "--exit-on-stdin-close", "--bind", "127.0.0.1:0", "--slots", _slots.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (seed is not null) args.AddRange(["--seed", seed]);
        args.AddRange(_configArgs);
        return args;
    }

    // When host index exits before disposal while restarts are left, its replacement waits for a live host to report it
    // removed (see OnHostLine).
    private void Watch(int index)
    {
        Process process;
        lock (_gate) process = _current[index]!;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            lock (_gate)
            {
                if (_disposing || _current[index] != process) return;
                string old = Addresses[index];
                if (Restarts == _maxRestarts)
                {
                    _log.WriteLine($"launch: host {index} ({old}) exited with code {process.ExitCode}; no restarts are left (--max-restarts), so it is not replaced");
                    return;
                }
                Restarts++;
                _awaitingRemoval[old] = index;
                _log.WriteLine($"launch: host {index} ({old}) exited with code {process.ExitCode}; a replacement starts once the cluster has removed it (restart {Restarts}, {_maxRestarts - Restarts} left)");
            }
        };
    }

    // A line host index (alive: it just spoke) wrote: when it reports a dead host removed, that host's replacement joins through it.
    private void OnHostLine(int index, string line)
    {
        lock (_gate)
        {
            if (_disposing || _awaitingRemoval.Count == 0) return;
            var removed = _awaitingRemoval.FirstOrDefault(d => MembershipLog.ReportsRemoval(line, d.Key));
            if (removed.Key is null || _current[index] is not { HasExited: false }) return;
            _awaitingRemoval.Remove(removed.Key);
            string seed = Addresses[index];
            int replaced = removed.Value;
            _log.WriteLine($"launch: {removed.Key} was removed; starting host {replaced}'s replacement through {seed}");
            _replacing.Add(Task.Run(async () =>
            {
                try
                {
                    string address = await StartOne(replaced, seed).ConfigureAwait(false);
                    lock (_gate) Addresses[replaced] = address;
                    _log.WriteLine($"launch: host {replaced} is {address} now");
                    Watch(replaced);
                }
                catch (InvalidOperationException e)
                {
                    _log.WriteLine($"launch: the replacement of host {replaced} did not come up: {e.Message}");
                }
            }));
        }
    }

    // Starts host index, joining through seed (none: it starts the cluster), and waits up to the timeout for its address.
    private async Task<string> StartOne(int index, string? seed)
    {
        var args = HostArguments(seed);
        var start = SelfStartInfo(args);
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.Environment[SecretVariable] = Secret;
        Process process;
        lock (_gate)
        {
            if (_disposing) throw new InvalidOperationException("The hosts are being stopped.");
            process = Process.Start(start) ?? throw new InvalidOperationException("The host process did not start.");
            _processes.Add(process);
            _current[index] = process;
        }
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            _log.WriteLine($"[host {index}] {e.Data}");
            OnHostLine(index, e.Data);
        };
        process.BeginErrorReadLine();
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync().WaitAsync(_timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            line = null;
        }
        if (line is null)
            throw new InvalidOperationException($"Host {index} ({string.Join(' ', args)}) {(process.HasExited ? $"exited with code {process.ExitCode}" : $"printed no address within {_timeout.TotalSeconds:0.###}s")} before it was up.");
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.GetProperty("address").GetString()!;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidOperationException($"Host {index} printed {line} instead of its address.", e);
        }
    }

    /// <summary>Tells every host to leave (closes its stdin), waits for them to exit, and kills any that has not after 15 s.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] replacing;
        lock (_gate)
        {
            _disposing = true;
            replacing = [.. _replacing];
        }
        await Task.WhenAll(replacing).ConfigureAwait(false); // one coming up is stopped with the rest
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
