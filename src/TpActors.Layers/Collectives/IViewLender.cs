namespace TpActors.Layers.Collectives;

/// <summary>
/// Whoever lent the memory a <see cref="CollectiveChunk"/> view shows: a rank of this process (<see cref="LendingLedger"/>),
/// or the shared-memory ring of a bulk connection (<see cref="RingViewLender"/>). The receiver acquires the view before it
/// reads and releases it after; the lender keeps the memory unchanged in between.
/// </summary>
internal interface IViewLender
{
    /// <summary>The receiver's claim before reading; false when the lender has revoked the view.</summary>
    bool TryAcquire(int slot, long generation);

    /// <summary>The receiver is done with the view (read or not).</summary>
    void Release(int slot, long generation, bool acquired);
}
