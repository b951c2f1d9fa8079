namespace TpActors.Runtime.Actors;

/// <summary>
/// The synchronization context a ReceiveAsync handler runs under: code after each <c>await</c> runs on the thread
/// pool with the actor marked as current, so <c>Sender.Tell(reply)</c> still sends as the actor. The mailbox is
/// suspended until the handler's task ends, so this code never runs beside another message of the same actor.
/// </summary>
internal sealed class ActorSynchronizationContext(ActorCell cell) : SynchronizationContext
{
    public override void Post(SendOrPostCallback callback, object? state) =>
        ThreadPool.UnsafeQueueUserWorkItem(static work => work.Context.Run(work.Callback, work.State), (Context: this, Callback: callback, State: state), preferLocal: false);

    public override void Send(SendOrPostCallback callback, object? state) => Run(callback, state);

    public override SynchronizationContext CreateCopy() => this;

    private void Run(SendOrPostCallback callback, object? state)
    {
        var outer = ActorCell.EnterTurn(cell);
        var previousContext = Current;
        SetSynchronizationContext(this);
        try
        {
            callback(state);
        }
        finally
        {
            SetSynchronizationContext(previousContext);
            ActorCell.ExitTurn(outer);
        }
    }
}
