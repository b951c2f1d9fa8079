using System.Runtime.InteropServices;

namespace TpActors.Host.Train;

/// <summary>
/// Ctrl-C and SIGTERM during a run, as PyTorch Lightning and torchrun treat them: the first asks the run to stop after the
/// step in flight (which is then checkpointed) and cancels <see cref="Token"/>; a second ends the process at once. The
/// exit code is the shell's for the signal: 130 for SIGINT, 143 for SIGTERM.
/// </summary>
public sealed class Interrupts : IDisposable
{
    /// <summary>Exit code after SIGINT (128 + 2).</summary>
    public const int InterruptExitCode = 130;

    /// <summary>Exit code after SIGTERM (128 + 15).</summary>
    public const int TerminateExitCode = 143;

    private readonly CancellationTokenSource _stop = new();
    private readonly TextWriter _log;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _exitCode; // 0 until the first signal, then its exit code

    /// <summary>Starts listening for SIGINT and SIGTERM; messages go to <paramref name="log"/>.</summary>
    public Interrupts(TextWriter log)
    {
        _log = log;
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, context => OnSignal(context, InterruptExitCode, "Ctrl-C")));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => OnSignal(context, TerminateExitCode, "SIGTERM")));
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>The exit code the signal calls for, or null when none came.</summary>
    public int? ExitCode => _exitCode == 0 ? null : _exitCode;

    /// <summary>Leaves SIGINT and SIGTERM to others from now on (a page kept up after the run, say); <see cref="ExitCode"/> stays.</summary>
    public void StopListening()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _registrations.Clear();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        StopListening();
        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context, int exitCode, string name)
    {
        context.Cancel = true; // this process decides when to end
        if (Interlocked.CompareExchange(ref _exitCode, exitCode, 0) != 0)
        {
            _log.WriteLine($"{name} again: stopping at once; the step in flight is lost (the last checkpoint is intact).");
            _log.Flush();
            Environment.Exit(exitCode);
        }
        _log.WriteLine($"{name}: finishing the current step and saving it; {name} again stops at once.");
        _stop.Cancel();
    }
}
