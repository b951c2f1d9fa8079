using TpActors.Runtime.Transport;

namespace TpActors.Layers.Collectives;

/// <summary>
/// The lender of views into a bulk connection's shared-memory ring: a chunk from a rank in another process of this machine
/// is read in place, and its room in the ring freed when the view is released. A ring's views are never revoked.
/// </summary>
internal sealed class RingViewLender(SharedMemoryRing ring) : IViewLender
{
    public bool TryAcquire(int slot, long generation) => true;

    public void Release(int slot, long generation, bool acquired) => ring.Release(generation);
}
