using Prometheus;
using TpActors.Layers.Training;

namespace TpActors.Host.Dashboard;

/// <summary>
/// A run's figures for Prometheus, in a registry of their own (served at the dashboard's <c>/metrics</c> by prometheus-net):
/// steps, loss and validation loss, step seconds and each phase's seconds per rank (histograms), recoveries by kind, and
/// the cluster's members by status.
/// </summary>
public sealed class RunMetrics
{
    private readonly Counter _steps;
    private readonly Gauge _loss, _validation, _members;
    private readonly Histogram _stepSeconds, _phaseSeconds;
    private readonly Counter _recoveries;
    private readonly Dictionary<string, string> _memberStatus = [];
    private readonly object _gate = new();
    private TimeSpan? _lastStep;

    /// <summary>Metrics in a new registry.</summary>
    public RunMetrics()
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        _steps = factory.CreateCounter("tpactors_steps_total", "Training steps committed.");
        _loss = factory.CreateGauge("tpactors_loss", "The last committed step's training loss.");
        _validation = factory.CreateGauge("tpactors_validation_loss", "The last held-out loss measured.");
        _stepSeconds = factory.CreateHistogram("tpactors_step_seconds", "Wall time between committed steps.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) });
        _phaseSeconds = factory.CreateHistogram("tpactors_phase_seconds", "A rank's time in a phase, as the rank timed it.",
            new HistogramConfiguration { LabelNames = ["phase", "rank"], Buckets = Histogram.ExponentialBuckets(0.0001, 2, 18) });
        _recoveries = factory.CreateCounter("tpactors_recoveries_total", "Rank recoveries, by how the rank failed.", new CounterConfiguration { LabelNames = ["kind"] });
        _members = factory.CreateGauge("tpactors_members", "Cluster members (or this process), by status.", new GaugeConfiguration { LabelNames = ["status"] });
    }

    /// <summary>Where the metrics live.</summary>
    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    /// <summary>The callbacks that update the metrics from a run.</summary>
    public TrainingObserver Observer => new()
    {
        Step = p =>
        {
            _steps.Inc();
            if (double.IsFinite(p.Loss)) _loss.Set(p.Loss);
            lock (_gate)
            {
                if (_lastStep is { } last && p.Elapsed > last) _stepSeconds.Observe((p.Elapsed - last).TotalSeconds);
                _lastStep = p.Elapsed;
            }
        },
        Phase = p => _phaseSeconds.WithLabels(TrainingPhases.Name(p.Round.Phase), p.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture)).Observe(p.ElapsedTicks / 1e7),
        Evaluated = e => _validation.Set(e.ValidationLoss),
        Recovery = r => _recoveries.WithLabels(r.Kind.ToString().ToLowerInvariant()).Inc(),
    };

    /// <summary>A member's status changed.</summary>
    public void Member(string address, string status)
    {
        lock (_gate)
        {
            _memberStatus[address] = status;
            foreach (var group in _memberStatus.Values.Append(status).Distinct())
                _members.WithLabels(group).Set(_memberStatus.Values.Count(s => s == group));
        }
    }
}
