using System.Diagnostics;

namespace TpActors.Host.Tests;

/// <summary>Runs the built tpactors command line as a separate process, for what only a real process shows (exit codes, signals, locks, terminals).</summary>
internal static class CliProcess
{
    /// <summary>The start info that runs tpactors with <paramref name="args"/> (crash dumps off).</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(Assembly);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        return start;
    }

    /// <summary>The dotnet host running these tests.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    /// <summary>The tpactors assembly.</summary>
    public static string Assembly => typeof(TpActorsCli).Assembly.Location;

    /// <summary>Runs tpactors to the end and returns what it printed.</summary>
    public static CliRunner.Result Run(params string[] args) => Run(StartInfo(args));

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
