using System.Diagnostics;

namespace TpActors.Host.Tests;

/// <summary>
/// A theory that runs a plain PyTorch model beside TpActors: skipped, saying so, where Debian's python3-torch is not
/// installed (<c>/usr/bin/python3</c> cannot import torch). <c>.ci/run</c> installs it.
/// </summary>
public sealed class TorchTheoryAttribute : TheoryAttribute
{
    /// <summary>Debian's Python, where python3-torch installs.</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(Python)) return $"needs {Python} with PyTorch (Debian's python3-torch; .ci/run installs it): {Python} is absent";
        try
        {
            using var probe = Process.Start(new ProcessStartInfo(Python, ["-c", "import torch"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            string error = probe.StandardError.ReadToEnd();
            if (!probe.WaitForExit(60_000)) probe.Kill();
            return probe.ExitCode == 0 ? null : $"needs PyTorch for {Python} (Debian's python3-torch; .ci/run installs it): {error.Trim().Split('\n')[^1]}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"needs {Python} with PyTorch: {e.Message}";
        }
    });

    public TorchTheoryAttribute()
    {
        if (Missing.Value is { } why) Skip = why;
    }
}
