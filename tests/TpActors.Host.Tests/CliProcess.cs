using System.Diagnostics;

namespace TpActors.Host.Tests;

/// <summary>Runs the built tpactors command line as a separate process, for what only a real process shows (exit codes, signals, locks, terminals, mounts).</summary>
internal static class CliProcess
{
    /// <summary>The start info that runs tpactors with <paramref name="args"/> (crash dumps off).</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args) => Program(Dotnet, [Assembly, .. args]);

    /// <summary>The start info of any program, with its streams redirected, crash dumps off, and Ctrl-C heard (see <see cref="SigIntIgnored"/>).</summary>
    public static ProcessStartInfo Program(string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(SigIntIgnored ? "env" : program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        if (SigIntIgnored)
        {
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add(program);
        }
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        return start;
    }

    /// <summary>
    /// Whether this test process ignores SIGINT. A shell starts a background job (`dotnet test &amp;` in a script) with SIGINT
    /// ignored, every program started from it inherits that through exec, and a tpactors process would then never hear the
    /// Ctrl-C a test sends it (the test waited forever). When so, programs are started through env(1), which restores
    /// SIGINT's default action before it executes them.
    /// </summary>
    public static bool SigIntIgnored { get; } = ReadSigIntIgnored();

    private static bool ReadSigIntIgnored()
    {
        const string Status = "/proc/self/status";
        if (!File.Exists(Status)) return false;
        string? ignored = File.ReadLines(Status).FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return ignored is not null && (Convert.ToUInt64(ignored["SigIgn:".Length..].Trim(), 16) & (1UL << (2 - 1))) != 0; // bit n-1 is signal n; SIGINT is 2
    }

    /// <summary>The dotnet host running these tests.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    /// <summary>The tpactors assembly.</summary>
    public static string Assembly => typeof(TpActorsCli).Assembly.Location;

    /// <summary>tpactors with <paramref name="args"/> as one /bin/sh command line, every word quoted.</summary>
    public static string ShellCommand(IEnumerable<string> args) =>
        string.Join(' ', new[] { Dotnet, Assembly }.Concat(args).Select(w => "'" + w.Replace("'", "'\\''") + "'"));

    /// <summary>Runs tpactors to the end and returns what it printed.</summary>
    public static CliRunner.Result Run(params string[] args) => Run(StartInfo(args));

    /// <summary>
    /// Runs tpactors with <paramref name="args"/> after mounting a tmpfs (with <paramref name="mountOptions"/>, e.g. "ro" or
    /// "size=1m") over <paramref name="mountPoint"/> in a private mount namespace, so the mount disappears with the process;
    /// <paramref name="after"/> runs in the namespace once tpactors has ended, and the result has tpactors' exit code.
    /// </summary>
    public static CliRunner.Result InMountNamespace(string mountPoint, string mountOptions, IEnumerable<string> args, string after = "true") =>
        InMountNamespace($"mount -t tmpfs -o {mountOptions} tmpfs '{mountPoint}'", args, after);

    /// <summary>
    /// Runs tpactors with <paramref name="args"/> in a private mount namespace once the shell commands <paramref name="mount"/>
    /// have succeeded there (their mounts disappear with the process); <paramref name="after"/> runs in the namespace once
    /// tpactors has ended, and the result has tpactors' exit code (or the mount's, when it failed).
    /// </summary>
    public static CliRunner.Result InMountNamespace(string mount, IEnumerable<string> args, string after = "true") =>
        Run(Program("/usr/bin/unshare", ["-m", "/bin/sh", "-c", $"{mount} && {ShellCommand(args)}; code=$?; {after}; exit $code"]));

    /// <summary>Runs a prepared process to the end and returns what it printed.</summary>
    public static CliRunner.Result Run(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return new CliRunner.Result(process.ExitCode, output.Result, error);
    }
}
