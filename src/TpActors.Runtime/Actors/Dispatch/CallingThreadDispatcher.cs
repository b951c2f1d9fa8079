namespace TpActors.Runtime.Actors;

/// <summary>
/// Runs turns on the thread that sends the message, before Tell returns: tests see the effect of a message at once,
/// in a fixed order. A turn asked for during another turn on the same thread waits in a per-thread queue and runs
/// right after it, so actors that message each other do not recurse.
/// </summary>
internal sealed class CallingThreadDispatcher(string id, int throughput) : MessageDispatcher(id, throughput)
{
    /// <summary>Turns waiting on this thread while an outer Dispatch drains them; null when none is draining.</summary>
    [ThreadStatic] private static Queue<Mailbox>? t_pending;

    public override void Dispatch(Mailbox mailbox)
    {
        if (t_pending is { } pending)
        {
            pending.Enqueue(mailbox);
            return;
        }
        pending = t_pending = new Queue<Mailbox>();
        try
        {
            pending.Enqueue(mailbox);
            while (pending.TryDequeue(out var next)) next.Run();
        }
        finally
        {
            t_pending = null;
        }
    }
}
