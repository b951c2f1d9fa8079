using Akka.Actor;
using Akka.Event;

namespace TpActors.Layers.Execution;

/// <summary>Callbacks for one training run's <see cref="TrainingEvent"/>s, made in order on one thread: keep them short.</summary>
public sealed class TrainingObserver
{
    /// <summary>After every committed step.</summary>
    public Action<TrainingProgress>? Step { get; init; }

    /// <summary>When a rank failure is detected, before the recovery.</summary>
    public Action<Recovery>? Recovery { get; init; }

    /// <summary>After a checkpoint directory is complete.</summary>
    public Action<string>? Checkpoint { get; init; }
}

/// <summary>
/// Subscribes to one run's <see cref="TrainingEvent"/>s on the EventStream and makes a <see cref="TrainingObserver"/>'s
/// callbacks. An observer only watches: a callback that throws is logged, and the run goes on. <see cref="Drained"/> answers
/// once every event published before it has been handled. Created by <see cref="TrainingRun"/> in the caller's process,
/// beside its callbacks; it is never sent anywhere.
/// </summary>
internal sealed class TrainingObserverActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public TrainingObserverActor(string run, TrainingObserver observer)
    {
        Receive<StepCommitted>(e => e.Run == run, e => Call(observer.Step, e.Progress));
        Receive<RankRecovering>(e => e.Run == run, e => Call(observer.Recovery, e.Recovery));
        Receive<CheckpointCommitted>(e => e.Run == run, e => Call(observer.Checkpoint, e.Directory));
        Receive<TrainingEvent>(_ => { }); // another run's
        Receive<Drain>(_ => Sender.Tell(Drained.Instance));
    }

    public static Props Props(string run, TrainingObserver observer) => Akka.Actor.Props.Create(() => new TrainingObserverActor(run, observer));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(TrainingEvent));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

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

    /// <summary>Asks for <see cref="Drained"/> once every earlier event has been handled.</summary>
    public sealed record Drain
    {
        public static Drain Instance { get; } = new();
    }

    /// <summary>Every event published before the <see cref="Drain"/> has been handled.</summary>
    public sealed record Drained
    {
        public static Drained Instance { get; } = new();
    }
}
