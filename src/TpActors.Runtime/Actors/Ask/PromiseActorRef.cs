namespace TpActors.Runtime.Actors;

/// <summary>
/// The temporary sender of an Ask (<c>/temp/$n</c>): the first reply completes the task (a <see cref="Status.Failure"/>
/// faults it); later replies go to dead letters. The timeout is scheduled on the system's scheduler.
/// </summary>
internal sealed class PromiseActorRef<T>(ActorPath path, ActorSystem system, IActorRef target, Type messageType, TimeSpan timeout) : MinimalActorRef(path)
{
    private readonly TaskCompletionSource<T> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ICancelable? _timeout;

    public Task<T> Task => _promise.Task;

    public void Start(CancellationToken cancellationToken)
    {
        _timeout = system.Scheduler.ScheduleOnce(timeout, () => _promise.TrySetException(new AskTimeoutException(
            $"Ask timed out on {target.Path} after {timeout.TotalMilliseconds:0} ms: no reply of type {typeof(T).Name} to a message of type {messageType.Name}.")));
        if (cancellationToken.CanBeCanceled)
            cancellationToken.Register(() => { if (_promise.TrySetCanceled(cancellationToken)) _timeout.Cancel(); });
    }

    public override void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        bool completed = message switch
        {
            Status.Failure failure => _promise.TrySetException(failure.Cause),
            T reply => _promise.TrySetResult(reply),
            _ => _promise.TrySetException(new InvalidCastException(
                $"Ask to {target.Path} expected a reply of type {typeof(T).Name} but got {message.GetType().Name}.")),
        };
        if (completed) _timeout?.Cancel();
        else system.DeadLetterRef.Publish(message, sender, this);
    }
}
