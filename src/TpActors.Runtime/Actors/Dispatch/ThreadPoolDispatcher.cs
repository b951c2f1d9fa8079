namespace TpActors.Runtime.Actors;

/// <summary>The default: turns run on the shared .NET thread pool; the mailbox is the work item, so a dispatch allocates nothing.</summary>
internal sealed class ThreadPoolDispatcher(string id, int throughput) : MessageDispatcher(id, throughput)
{
    // preferLocal: true — a turn asked for inside another turn (actor A tells B) goes to this worker's local queue,
    // so partners hand off without contending on the global queue; idle workers steal from local queues, so busy
    // actors still spread over the cores. Measured with `tpactors bench actors`: 2-pair ping-pong 0.32-0.87x of
    // the channel baseline with the global queue, 0.69-1.14x with local queues (docs/BENCHMARKS.md).
    public override void Dispatch(Mailbox mailbox) => ThreadPool.UnsafeQueueUserWorkItem(mailbox, preferLocal: true);
}
