using System.Globalization;
using TpActors.Layers.Checkpoints;
using TpActors.Layers.Training;

namespace TpActors.Host.Train;

/// <summary>
/// Shows a run's progress on stderr: on a terminal one live line (bar, step, loss, the last validation loss, steps/s and
/// tokens/s, ETA) redrawn at most ten times a second; otherwise a plain line about every tenth of the run. Recoveries,
/// checkpoints and (off a terminal) validation losses always get a line of their own.
/// </summary>
public sealed class ProgressDisplay(TextWriter output, bool interactive)
{
    private double? _validation; // the last held-out loss
    private const int BarWidth = 24;
    private readonly object _gate = new();
    private TimeSpan? _lastDraw; // when the live line was last drawn; null until the first draw
    private bool _lineOpen;

    /// <summary>The callbacks to hand the run.</summary>
    public TrainingObserver Observer => new() { Step = OnStep, Evaluated = OnEvaluated, Recovery = OnRecovery, Placed = OnPlaced, Reachability = OnReachability, Checkpoint = OnCheckpoint };

    /// <summary>Tokens a step trains on (a GPT's batch × context), to show tokens/s; 0 for none.</summary>
    public long TokensPerStep { get; set; }

    /// <summary>Ends the live line, if one is showing.</summary>
    public void Close()
    {
        lock (_gate) EndLine();
    }

    private void OnStep(TrainingProgress p)
    {
        long total = Math.Max(1, p.Steps - p.StartStep), done = p.Step - p.StartStep;
        double rate = done / Math.Max(1e-9, p.Elapsed.TotalSeconds);
        double eta = (p.Steps - p.Step) / Math.Max(1e-9, rate);
        string text = string.Create(CultureInfo.InvariantCulture,
            $"step {p.Step}/{p.Steps}  loss {p.Loss:0.000000}{(_validation is { } v ? $"  val {v:0.0000}" : "")}  {rate:0.0} steps/s" +
            $"{(TokensPerStep > 0 ? $"  {rate * TokensPerStep:#,0} tok/s" : "")}  ETA {eta:0.0}s{(p.Recoveries > 0 ? $"  recoveries {p.Recoveries}" : "")}");
        lock (_gate)
        {
            if (interactive)
            {
                if (p.Step != p.Steps && _lastDraw is { } last && p.Elapsed - last < TimeSpan.FromMilliseconds(100)) return;
                _lastDraw = p.Elapsed;
                int filled = (int)(BarWidth * done / total);
                output.Write($"\r[{new string('#', filled)}{new string('.', BarWidth - filled)}] {text}\x1b[K");
                _lineOpen = true;
            }
            else if (done % Math.Max(1, total / 10) == 0 || p.Step == p.Steps)
            {
                output.WriteLine(text);
            }
        }
    }

    private void OnEvaluated(StepEvaluated evaluated)
    {
        lock (_gate)
        {
            _validation = evaluated.ValidationLoss;
            if (interactive) return; // the live line shows it from the next step on
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {evaluated.Step}: validation loss {evaluated.ValidationLoss:0.000000}"));
        }
    }

    private void OnRecovery(Recovery recovery)
    {
        lock (_gate)
        {
            EndLine();
            output.WriteLine($"recovering: {recovery}");
        }
    }

    private void OnPlaced(RankPlaced placed)
    {
        lock (_gate)
        {
            EndLine();
            output.WriteLine($"placed: rank {placed.Rank} on {placed.Host} slot {placed.Slot}");
        }
    }

    private void OnReachability(HostReachability host)
    {
        string ranks = $"rank{(host.Ranks.Count == 1 ? "" : "s")} {string.Join(", ", host.Ranks)}";
        lock (_gate)
        {
            EndLine();
            output.WriteLine(host.Reachable
                ? $"reachable again: host {host.Host}; {ranks} start where they were, from their own snapshots"
                : $"unreachable: host {host.Host}; {ranks} wait for Akka.Cluster's verdict (removed: placed elsewhere; reachable again: started where they were)");
        }
    }

    private void OnCheckpoint(string directory)
    {
        lock (_gate)
        {
            if (interactive) return; // the live line would scroll away
            output.WriteLine($"checkpoint: {directory}");
        }
    }

    private void EndLine()
    {
        if (!_lineOpen) return;
        output.WriteLine();
        _lineOpen = false;
    }
}
