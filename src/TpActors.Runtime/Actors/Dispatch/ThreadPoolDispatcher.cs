namespace TpActors.Runtime.Actors;

/// <summary>The default: turns run on the shared .NET thread pool; the mailbox is the work item, so a dispatch allocates nothing.</summary>
internal sealed class ThreadPoolDispatcher(string id, int throughput) : MessageDispatcher(id, throughput)
{
    // preferLocal: false — a turn queued by another actor's turn goes to the global queue, so two busy actors
    // run on two cores instead of one waiting in the other's local queue.
    public override void Dispatch(Mailbox mailbox) => ThreadPool.UnsafeQueueUserWorkItem(mailbox, preferLocal: false);
}
