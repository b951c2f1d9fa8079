using Prometheus;
using TpActors.Layers.Collectives;
using TpActors.Layers.Training;

namespace TpActors.Host.Dashboard;

/// <summary>
/// A run's figures for Prometheus, in a registry of their own (served at the dashboard's <c>/metrics</c> by prometheus-net):
/// steps, loss and validation loss, step seconds and each phase's seconds per rank (histograms), collective bytes and
/// seconds by operation and link, GEMM flops and seconds per rank (their rates' ratio is the rank's GEMM GFLOP/s),
/// recoveries by kind and the time they lost, a verification's checks by result, and the cluster's members by status.
/// </summary>
public sealed class RunMetrics
{
    private readonly Counter _steps;
    private readonly Gauge _loss, _validation, _members, _checks;
    private readonly Histogram _stepSeconds, _phaseSeconds, _collectiveSeconds;
    private readonly Counter _recoveries, _lostSeconds, _collectiveBytes, _gemmFlops, _gemmSeconds;
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
        _collectiveBytes = factory.CreateCounter("tpactors_collective_bytes_total", "Bytes of the collectives ranks ran (nccl-tests' size), by operation and link (the dearest hop of the ring).",
            new CounterConfiguration { LabelNames = ["operation", "link"] });
        _collectiveSeconds = factory.CreateHistogram("tpactors_collective_seconds", "A rank's time in one collective, by operation and link.",
            new HistogramConfiguration { LabelNames = ["operation", "link"], Buckets = Histogram.ExponentialBuckets(0.00001, 2, 20) });
        _gemmFlops = factory.CreateCounter("tpactors_gemm_flops_total", "Floating-point operations of a rank's GEMMs.", new CounterConfiguration { LabelNames = ["rank"] });
        _gemmSeconds = factory.CreateCounter("tpactors_gemm_seconds_total", "A rank's time in GEMMs.", new CounterConfiguration { LabelNames = ["rank"] });
        _recoveries = factory.CreateCounter("tpactors_recoveries_total", "Rank recoveries, by how the rank failed.", new CounterConfiguration { LabelNames = ["kind"] });
        _lostSeconds = factory.CreateCounter("tpactors_recovery_lost_seconds_total", "Work thrown away plus recovery time, over all incidents.");
        _checks = factory.CreateGauge("tpactors_checks", "A verification's checks, by result.", new GaugeConfiguration { LabelNames = ["result"] });
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
        Phase = OnPhase,
        Evaluated = e => _validation.Set(e.ValidationLoss),
        Recovery = r => _recoveries.WithLabels(r.Kind.ToString().ToLowerInvariant()).Inc(),
        Resolved = e => _lostSeconds.Inc(e.Recoveries.Sum(r => r.TimeLost.TotalSeconds)),
    };

    private void OnPhase(PhaseTimed p)
    {
        string rank = p.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _phaseSeconds.WithLabels(TrainingPhases.Name(p.Round.Phase), rank).Observe(p.ElapsedTicks / 1e7);
        if (p.Profile.GemmFlops > 0)
        {
            _gemmFlops.WithLabels(rank).Inc(p.Profile.GemmFlops);
            _gemmSeconds.WithLabels(rank).Inc(p.Profile.GemmTicks / 1e7);
        }
        foreach (var c in p.Profile.Collectives)
        {
            string operation = RoundId.OperationName(c.Operation), link = CollectiveLinkKinds.Name(c.Link);
            _collectiveBytes.WithLabels(operation, link).Inc(c.Bytes);
            _collectiveSeconds.WithLabels(operation, link).Observe(c.ElapsedTicks / 1e7);
        }
    }

    /// <summary>A verification's checks were judged.</summary>
    public void Checks(IReadOnlyList<Layers.Verification.CheckResult> checks)
    {
        _checks.WithLabels("passed").Set(checks.Count(c => c.Passed));
        _checks.WithLabels("failed").Set(checks.Count(c => !c.Passed));
    }

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
