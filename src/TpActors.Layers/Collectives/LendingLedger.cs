using System.Diagnostics;

namespace TpActors.Layers.Collectives;

/// <summary>
/// A rank's record of the read-only views it has lent to a peer during one ring pass (see <see cref="CollectiveChunk.Lend(float*, int, LendingLedger)"/>):
/// one slot per view, each a state word that the borrower moves from <c>Lent</c> to <c>Reading</c> before it reads and to
/// <c>Done</c> after, and that the lender moves from <c>Lent</c> to <c>Revoked</c> when it gives the pass up. The lender
/// leaves the pass (and the memory it pinned) only once every slot is Done or Revoked, so a peer never reads memory that
/// has been handed back.
/// </summary>
/// <remarks>
/// Invariants: only the lender's thread adds slots, waits and revokes; a borrower touches only the slot its view names, and
/// only while that slot carries the view's generation, so a late borrower of a revoked view finds it gone. Slots are reused
/// pass after pass once all of them are settled; nothing is allocated once warm.
/// </remarks>
internal sealed class LendingLedger : IViewLender
{
    private const long Lent = 0, Reading = 1, Done = 2, Revoked = 3, StateMask = 3;

    private readonly CollectiveInbox _lenderInbox;
    private readonly Func<bool> _allSettled;
    private long[] _slots = new long[64];
    private int _count;
    private long _generation;

    /// <summary>The ledger of the rank whose inbox is <paramref name="lenderInbox"/>: a release wakes it.</summary>
    public LendingLedger(CollectiveInbox lenderInbox)
    {
        _lenderInbox = lenderInbox;
        _allSettled = AllSettled;
    }

    /// <summary>Starts a pass that lends at most <paramref name="views"/> views (the slots never move while borrowers hold them).</summary>
    public void BeginPass(int views)
    {
        Debug.Assert(_count == 0, "the previous pass was settled or revoked");
        if (views > _slots.Length) _slots = new long[Math.Max(views, _slots.Length * 2)];
    }

    /// <summary>Records a new view: its slot and generation, for the view to name.</summary>
    public (int Slot, long Generation) Add()
    {
        Debug.Assert(_count < _slots.Length, "BeginPass sized the ledger for every view of the pass");
        long generation = ++_generation;
        Volatile.Write(ref _slots[_count], (generation << 2) | Lent);
        return (_count++, generation);
    }

    /// <summary>The borrower's claim before it reads; false when the lender has revoked the view.</summary>
    public bool TryAcquire(int slot, long generation) =>
        Interlocked.CompareExchange(ref _slots[slot], (generation << 2) | Reading, (generation << 2) | Lent) == ((generation << 2) | Lent);

    /// <summary>The borrower is done with the view (read it, or dropped it unread); the lender may reuse the memory.</summary>
    public void Release(int slot, long generation, bool acquired)
    {
        long from = (generation << 2) | (acquired ? Reading : Lent);
        if (Interlocked.CompareExchange(ref _slots[slot], (generation << 2) | Done, from) == from) _lenderInbox.Signal();
    }

    /// <summary>
    /// Waits until every view of this pass is released, then starts the next pass with no slots; false when
    /// <paramref name="deadline"/> (a timestamp of the inbox's clock) passes first.
    /// </summary>
    /// <exception cref="CollectiveAbortedException">The round's group was aborted while waiting.</exception>
    public bool WaitAllReleased(RoundId round, long deadline)
    {
        if (!_lenderInbox.WaitUntil(round, _allSettled, deadline)) return false;
        _count = 0;
        return true;
    }

    /// <summary>
    /// Gives up every view not yet read: a borrower that comes later finds it revoked. Views being read are waited for (a
    /// borrower reads a view in one pass over it, never blocking in between). Then starts the next pass with no slots.
    /// </summary>
    public void RevokeOutstanding()
    {
        for (int i = 0; i < _count; i++)
        {
            long word = Volatile.Read(ref _slots[i]);
            if ((word & StateMask) == Lent) Interlocked.CompareExchange(ref _slots[i], (word & ~StateMask) | Revoked, word);
            var spin = new SpinWait();
            while ((Volatile.Read(ref _slots[i]) & StateMask) == Reading) spin.SpinOnce();
        }
        _count = 0;
    }

    private bool AllSettled()
    {
        for (int i = 0; i < _count; i++)
        {
            long state = Volatile.Read(ref _slots[i]) & StateMask;
            if (state is Lent or Reading) return false;
        }
        return true;
    }
}
