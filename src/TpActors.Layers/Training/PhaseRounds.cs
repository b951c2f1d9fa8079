namespace TpActors.Layers.Training;

/// <summary>
/// The supervisor's book of phase rounds, without an actor: the round in flight, which ranks have yet to answer it, their
/// results, and per rank the rounds sent and not yet answered (see <see cref="UnansweredRounds"/>).
/// </summary>
/// <remarks>Invariant: at most one round is in flight; an answer to any other round is stale and never counted.</remarks>
internal sealed class PhaseRounds(int ranks)
{
    private readonly bool[] _waiting = new bool[ranks];
    private readonly PhaseResult?[] _results = new PhaseResult?[ranks];
    private readonly UnansweredRounds _unanswered = new(ranks);

    /// <summary>What an answer to a round did.</summary>
    public enum Outcome
    {
        /// <summary>It answers another round, or one its rank already answered: dropped (its result is the caller's to reclaim).</summary>
        Stale,

        /// <summary>Its result does not answer the round's phase (see <see cref="PhaseProtocol.Answers"/>): a protocol error.</summary>
        Unexpected,

        /// <summary>Counted; other ranks have yet to answer.</summary>
        Counted,

        /// <summary>Counted, and it was the last: the round is complete.</summary>
        Complete,
    }

    /// <summary>The round in flight (or, after <see cref="Quiesce"/>, the round no answer can match).</summary>
    public PhaseRound Current { get; private set; }

    /// <summary>Whether some rank has yet to answer the round in flight.</summary>
    public bool Waiting => _waiting.Any(w => w);

    /// <summary>The ranks that have yet to answer the round in flight.</summary>
    public IReadOnlyList<int> Silent => Enumerable.Range(0, _waiting.Length).Where(r => _waiting[r]).ToList();

    /// <summary>Starts <paramref name="round"/>, sent to every rank: all are waited for, no result is kept.</summary>
    public void Begin(PhaseRound round)
    {
        Current = round;
        Array.Fill(_waiting, true);
        Array.Clear(_results);
        for (int r = 0; r < _waiting.Length; r++) _unanswered.Sent(r, round);
    }

    /// <summary>No round is in flight: <paramref name="idle"/> stands in its place, and nobody is waited for.</summary>
    public void Quiesce(PhaseRound idle)
    {
        Current = idle;
        Array.Fill(_waiting, false);
    }

    /// <summary><paramref name="rank"/> answered <paramref name="round"/> without a result (aborted, stalled, failed or threw).</summary>
    public void Answered(int rank, PhaseRound round) => _unanswered.Answered(rank, round);

    /// <summary><paramref name="rank"/> answered <paramref name="round"/> with <paramref name="result"/>.</summary>
    public Outcome Done(int rank, PhaseRound round, PhaseResult result)
    {
        _unanswered.Answered(rank, round);
        if (round != Current || (uint)rank >= (uint)_waiting.Length || !_waiting[rank]) return Outcome.Stale;
        if (!PhaseProtocol.Answers(round.Phase, result)) return Outcome.Unexpected;
        _waiting[rank] = false;
        _results[rank] = result;
        return Waiting ? Outcome.Counted : Outcome.Complete;
    }

    /// <summary>The result of <paramref name="rank"/> in the round in flight, or null.</summary>
    public PhaseResult? Result(int rank) => _results[rank];

    /// <summary>Every rank's result of the completed round, each the answer <see cref="PhaseProtocol.Answers"/> checked it to be.</summary>
    public List<T> Results<T>() where T : PhaseResult => _results.Cast<T>().ToList();

    /// <summary>A new actor took <paramref name="rank"/>'s place: it owes no answers.</summary>
    public void Replaced(int rank) => _unanswered.Replaced(rank);

    /// <summary>The oldest round <paramref name="rank"/> has not answered, or the round in flight when it owes none.</summary>
    public PhaseRound StuckIn(int rank) => _unanswered.StuckIn(rank, Current);
}
