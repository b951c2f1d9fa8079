using System.Diagnostics;
using System.Text.Json;

namespace TpActors.Host.Bench;

/// <summary>
/// The plain PyTorch GPT (tests/pytorch/gpt_train.py, embedded in this program) run as a peer: Debian's /usr/bin/python3
/// with python3-torch, from a TpActors export and token file, at a given number of threads.
/// </summary>
internal static class PyTorchPeer
{
    /// <summary>Debian's Python, where python3-torch installs.</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>Null when <see cref="Python"/> imports torch; else why not, in words.</summary>
    public static string? Missing()
    {
        if (!File.Exists(Python)) return $"{Python} is absent (Debian's python3-torch installs PyTorch for it)";
        var (code, _, error) = Run(["-c", "import torch"], TimeSpan.FromMinutes(1));
        return code == 0 ? null : $"{Python} cannot import torch (install Debian's python3-torch): {error.Trim().Split('\n')[^1]}";
    }

    /// <summary>Trains <paramref name="steps"/> steps from <paramref name="init"/> on <paramref name="tokens"/> with <paramref name="threads"/> threads; returns its losses and seconds per step.</summary>
    /// <exception cref="InvalidOperationException">The script failed.</exception>
    public static (double[] Losses, double SecondsPerStep) Train(string init, string tokens, int steps, int threads)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"tpactors-pytorch-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        foreach (string script in new[] { "gpt_check.py", "gpt_train.py" })
        {
            using var resource = typeof(PyTorchPeer).Assembly.GetManifestResourceStream($"pytorch/{script}")
                ?? throw new InvalidOperationException($"the embedded pytorch/{script} is missing from this build");
            using var file = File.Create(Path.Combine(directory, script));
            resource.CopyTo(file);
        }
        var (code, output, error) = Run([Path.Combine(directory, "gpt_train.py"), init, tokens, "--steps", steps.ToString(), "--threads", threads.ToString()], TimeSpan.FromMinutes(30));
        if (code != 0) throw new InvalidOperationException($"the PyTorch peer failed (exit {code}): {error.Trim()}");
        using var json = JsonDocument.Parse(output);
        return (json.RootElement.GetProperty("losses").EnumerateArray().Select(l => l.GetDouble()).ToArray(), json.RootElement.GetProperty("seconds_per_step").GetDouble());
    }

    /// <summary>Runs <see cref="Python"/> with <paramref name="arguments"/>; code −1 (and why, as the error) when it runs past <paramref name="limit"/>.</summary>
    internal static (int Code, string Output, string Error) Run(string[] arguments, TimeSpan limit)
    {
        using var process = Process.Start(new ProcessStartInfo(Python, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            return (-1, output, $"it ran past {limit.TotalMinutes} minutes");
        }
        return (process.ExitCode, output, error.Result);
    }
}
