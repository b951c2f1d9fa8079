using System.Diagnostics;
using System.Text.Json;

namespace TpActors.Host.Tests.Cluster;

/// <summary>Real <c>tpactors host</c> processes for tests, and a check that no process of a test's cluster is left.</summary>
internal static class ClusterProcesses
{
    /// <summary>
    /// The test collection of every test that starts host processes: they run one after another, since several clusters at
    /// once on two cores starve heartbeats past the tuned failure detector's pause and members are downed that are alive.
    /// </summary>
    public const string Collection = "cluster host processes";

    /// <summary>Small training options that run in a fraction of a second per step.</summary>
    public static readonly string[] SmallTraining = ["--tp", "4", "--steps", "5", "--hidden", "24", "--ffn", "40", "--batch", "6", "--layers", "2", "--json"];

    /// <summary>A -D setting that marks every process of one test's cluster on its command line (a role nothing reads).</summary>
    public static string Marker() => $"tpactors.cluster.roles=[\"test-{Guid.NewGuid():N}\"]";

    /// <summary>Starts a host with <paramref name="args"/> and returns it with its address (its first stdout line, as JSON).</summary>
    public static (Process Process, string Address) StartHost(params string[] args) => StartHost(_ => { }, args);

    /// <summary>Starts a host with <paramref name="args"/> (on 127.0.0.1 with a port the OS picks, unless they give --bind), handing each of its stderr lines to <paramref name="stderr"/>; it and its address.</summary>
    public static (Process Process, string Address) StartHost(Action<string?> stderr, params string[] args)
    {
        var process = Process.Start(CliProcess.StartInfo(["host", "--json", .. args.Contains("--bind") ? Array.Empty<string>() : ["--bind", "127.0.0.1:0"], .. args]))!;
        process.ErrorDataReceived += (_, e) => stderr(e.Data);
        process.BeginErrorReadLine();
        var line = process.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"The host exited ({(process.WaitForExit(5000) ? process.ExitCode : -1)}) before printing its address.");
        using var json = JsonDocument.Parse(line);
        return (process, json.RootElement.TryGetProperty("address", out var address) ? address.GetString()!
            : throw new InvalidOperationException($"The host printed {line} instead of its address (exit {(process.WaitForExit(5000) ? process.ExitCode : -1)})."));
    }

    /// <summary>Sends SIGTERM to <paramref name="process"/> and waits for its exit code.</summary>
    public static int Terminate(Process process)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString()])!) kill.WaitForExit();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Host {process.Id} did not exit within 30s of SIGTERM.");
        }
        return process.ExitCode;
    }

    /// <summary>Live processes (not zombies) whose command line contains <paramref name="marker"/>.</summary>
    public static List<int> Running(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid) || pid == Environment.ProcessId) continue;
            try
            {
                string status = File.ReadAllText(Path.Combine(dir, "stat"));
                if (status[(status.LastIndexOf(')') + 2)..].StartsWith('Z')) continue;
                if (File.ReadAllText(Path.Combine(dir, "cmdline")).Contains(marker, StringComparison.Ordinal)) found.Add(pid);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    /// <summary>The live <c>tpactors host</c> processes whose command line contains <paramref name="marker"/>, in the order they started.</summary>
    public static List<int> HostsInStartOrder(string marker) =>
        [.. Running(marker).Where(pid => ArgumentsOf(pid).Contains("host")).OrderBy(StartTime)];

    // The process's arguments, split at the NULs of /proc/PID/cmdline (empty when it has gone).
    private static string[] ArgumentsOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
        }
        catch (IOException)
        {
            return [];
        }
    }

    // When the process started, in clock ticks since boot (field 22 of /proc/PID/stat, after the parenthesized name).
    private static long StartTime(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits up to <paramref name="timeout"/> until no process carries <paramref name="marker"/>; the ones left.</summary>
    public static List<int> WaitUntilGone(string marker, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        List<int> left;
        while ((left = Running(marker)).Count > 0 && DateTime.UtcNow < deadline) Thread.Sleep(100);
        return left;
    }

    /// <summary>The weights digest of a train --json summary.</summary>
    public static string WeightsOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("weights_sha256").GetString()!;
    }
}

/// <summary>The collection <see cref="ClusterProcesses.Collection"/> names: its tests never run in parallel with each other.</summary>
[CollectionDefinition(ClusterProcesses.Collection)]
public sealed class ClusterProcessesCollection;
