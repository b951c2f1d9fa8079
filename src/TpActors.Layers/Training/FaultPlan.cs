namespace TpActors.Layers.Training;

/// <summary>
/// The faults to inject into one training run, shared by its rank actors. Each fires once, at the start of its phase (a kill
/// fires midway through the rank's checkpoint file); list one several times to make it fire on the replays as well. Ranks
/// that hang wait until the plan is disposed at the end of the run, so their threads are not lost for good.
/// </summary>
public sealed class FaultPlan : IDisposable
{
    private readonly object _gate = new();
    private readonly List<FaultSpec> _pending;
    private readonly ManualResetEventSlim _released = new(false);

    /// <summary>A plan that injects <paramref name="faults"/>.</summary>
    public FaultPlan(IEnumerable<FaultSpec> faults) => _pending = [.. faults];

    /// <summary>The fault planned for (<paramref name="rank"/>, <paramref name="step"/>, <paramref name="phase"/>), removed from the plan; null when none is.</summary>
    public FaultSpec? Take(int rank, long step, TrainingPhase phase)
    {
        lock (_gate)
        {
            int index = _pending.FindIndex(f => f.Rank == rank && f.Step == step && f.Phase == phase);
            if (index < 0) return null;
            var fault = _pending[index];
            _pending.RemoveAt(index);
            return fault;
        }
    }

    /// <summary>Blocks the calling rank's thread until the run ends (the plan is disposed).</summary>
    public void Hang() => _released.Wait();

    /// <summary>Releases every hung rank.</summary>
    public void Dispose() => _released.Set();
}
