namespace TpActors.Layers.Training;

/// <summary>
/// Per rank, the phase rounds sent to it and not yet answered, oldest first. A rank answers its rounds in the order they
/// were sent, so an answer to a round settles it and every older one, and the oldest left is the round a silent rank is
/// stuck in (a rank hung in step 3's forward phase is still in it when the re-forming connect round times out).
/// </summary>
internal sealed class UnansweredRounds(int ranks)
{
    private readonly Queue<PhaseRound>[] _rounds = Enumerable.Range(0, ranks).Select(_ => new Queue<PhaseRound>()).ToArray();

    /// <summary>A round was sent to <paramref name="rank"/>.</summary>
    public void Sent(int rank, PhaseRound round) => _rounds[rank].Enqueue(round);

    /// <summary><paramref name="rank"/> answered <paramref name="round"/> (done, aborted, stalled, failed or threw).</summary>
    public void Answered(int rank, PhaseRound round)
    {
        if ((uint)rank >= (uint)_rounds.Length) return;
        var queue = _rounds[rank];
        while (queue.TryDequeue(out var oldest) && oldest != round) { }
    }

    /// <summary>A new actor took the rank's place: it owes no answers.</summary>
    public void Replaced(int rank) => _rounds[rank].Clear();

    /// <summary>The oldest round <paramref name="rank"/> has not answered, or <paramref name="current"/> when it owes none.</summary>
    public PhaseRound StuckIn(int rank, PhaseRound current) => _rounds[rank].TryPeek(out var oldest) ? oldest : current;
}
