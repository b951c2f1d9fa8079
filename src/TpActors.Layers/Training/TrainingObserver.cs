using Akka.Actor;
using Akka.Event;
using TpActors.Layers.Checkpoints;

namespace TpActors.Layers.Training;

/// <summary>Callbacks for one training run's <see cref="TrainingEvent"/>s, made in order on one thread: keep them short.</summary>
public sealed class TrainingObserver
{
    /// <summary>After every committed step.</summary>
    public Action<TrainingProgress>? Step { get; init; }

    /// <summary>When a rank's part of a phase round is counted, with its timing.</summary>
    public Action<PhaseTimed>? Phase { get; init; }

    /// <summary>After the held-out batches were measured: the step and their mean loss.</summary>
    public Action<StepEvaluated>? Evaluated { get; init; }

    /// <summary>When a rank failure is detected, before the recovery.</summary>
    public Action<Recovery>? Recovery { get; init; }

    /// <summary>When the group runs again after an incident: its recoveries, with their time lost.</summary>
    public Action<RecoveryResolved>? Resolved { get; init; }

    /// <summary>When a rank of a lost host has a new slot: rank, host, slot.</summary>
    public Action<RankPlaced>? Placed { get; init; }

    /// <summary>When a host holding ranks is marked unreachable, or reachable again before it was removed.</summary>
    public Action<HostReachability>? Reachability { get; init; }

    /// <summary>After a checkpoint directory is complete.</summary>
    public Action<string>? Checkpoint { get; init; }

    /// <summary>An observer that makes <paramref name="first"/>'s callback, then <paramref name="second"/>'s, for every event.</summary>
    public static TrainingObserver Both(TrainingObserver first, TrainingObserver second) => new()
    {
        Step = Both(first.Step, second.Step),
        Phase = Both(first.Phase, second.Phase),
        Evaluated = Both(first.Evaluated, second.Evaluated),
        Recovery = Both(first.Recovery, second.Recovery),
        Resolved = Both(first.Resolved, second.Resolved),
        Placed = Both(first.Placed, second.Placed),
        Reachability = Both(first.Reachability, second.Reachability),
        Checkpoint = Both(first.Checkpoint, second.Checkpoint),
    };

    private static Action<T>? Both<T>(Action<T>? first, Action<T>? second) =>
        first is null ? second : second is null ? first : value =>
        {
            first(value);
            second(value);
        };
}

/// <summary>
/// One run's <see cref="TrainingObserver"/> as an EventStream subscriber: an actor ref whose Tell makes the callback at once,
/// on the publisher's thread (the supervisor's), so every event is handled, in order, before the run's result is sent.
/// An observer only watches: a callback that throws is logged, and the run goes on. It lives in the caller's process, beside
/// its callbacks, and is never sent anywhere.
/// </summary>
internal sealed class TrainingEventListener : MinimalActorRef
{
    private readonly string _run;
    private readonly TrainingObserver _observer;
    private readonly ILoggingAdapter _log;

    public TrainingEventListener(ActorSystem system, string run, TrainingObserver observer)
    {
        var extended = (ExtendedActorSystem)system;
        Provider = extended.Provider;
        Path = extended.Provider.TempPath();
        _run = run;
        _observer = observer;
        _log = system.Log;
    }

    public override ActorPath Path { get; }

    public override IActorRefProvider Provider { get; }

    protected override void TellInternal(object message, IActorRef sender)
    {
        switch (message)
        {
            case StepCommitted e when e.Run == _run: Call(_observer.Step, e.Progress); break;
            case StepEvaluated e when e.Run == _run: Call(_observer.Evaluated, e); break;
            case PhaseTimed e when e.Run == _run: Call(_observer.Phase, e); break;
            case RankRecovering e when e.Run == _run: Call(_observer.Recovery, e.Recovery); break;
            case RecoveryResolved e when e.Run == _run: Call(_observer.Resolved, e); break;
            case RankPlaced e when e.Run == _run: Call(_observer.Placed, e); break;
            case HostReachability e when e.Run == _run: Call(_observer.Reachability, e); break;
            case CheckpointCommitted e when e.Run == _run: Call(_observer.Checkpoint, e.Directory); break;
        }
    }

    private void Call<T>(Action<T>? callback, T value)
    {
        try
        {
            callback?.Invoke(value);
        }
        catch (Exception e)
        {
            _log.Warning(e, "A training observer failed on {0}; the run goes on.", value);
        }
    }
}
