using Akka.Actor;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Training;

/// <summary>
/// The supervisor's book of in-memory snapshots, without an actor: per rank the committed snapshot held in this process (or
/// none, when the rank keeps its snapshots on its own host), a spare buffer to take the next one into, which hosts hold a
/// copy of a kept snapshot, which ranks restore at the next join and from where; and the plan a recovery follows.
/// </summary>
/// <remarks>
/// Invariants: a committed snapshot holds its rank's state after <see cref="Step"/> and is never written into (a snapshot
/// is taken into the spare, and the two are swapped when every rank has handed its one over); a buffer is either committed,
/// spare, lent to a rank, or disposed, never two of these.
/// </remarks>
internal sealed class SnapshotBook : IDisposable
{
    /// <summary>Where a copy kept by a host process that was lost, and whose address a new process now has, stood.</summary>
    internal static readonly Address GoneCopy = new("akka.tcp", "tpactors-copy-lost-with-its-host");

    private readonly ShardState?[] _committed;       // per rank, its state after Step, when this process holds it
    private readonly ShardState?[] _spare;           // per rank, a buffer to take the next snapshot into
    private readonly bool[] _restore;                // ranks to restore at the next join
    private readonly HashSet<Address>[] _copies;     // per rank kept on a host, the hosts whose vaults hold its snapshot of Step
    private readonly long[] _replicated;             // per rank kept on a host, the last step whose copy its buddy's host confirmed (-1: none)
    private readonly Address?[] _movedFrom;          // per rank being moved, the host it hands its state over from

    /// <summary>An empty book for <paramref name="ranks"/> ranks: no snapshot yet.</summary>
    public SnapshotBook(int ranks)
    {
        _committed = new ShardState?[ranks];
        _spare = new ShardState?[ranks];
        _restore = new bool[ranks];
        _copies = Enumerable.Range(0, ranks).Select(_ => new HashSet<Address>()).ToArray();
        _replicated = Enumerable.Repeat(-1L, ranks).ToArray();
        _movedFrom = new Address?[ranks];
    }

    /// <summary>What a recovery does once the group has re-formed (see <see cref="PlanRecovery"/>).</summary>
    public enum Plan
    {
        /// <summary>Nothing holds the state to restore: the run cannot go on.</summary>
        Unrestorable,

        /// <summary>It failed while the group re-formed: the plan of the recovery under way stands.</summary>
        Stands,

        /// <summary>The survivors are at the committed state: the action in flight runs again.</summary>
        RunAgain,

        /// <summary>Some ranks moved past the snapshot: every rank goes back to <see cref="Step"/> and the steps since are replayed.</summary>
        Replay,
    }

    /// <summary>The step every rank can be restored to (-1: none yet).</summary>
    public long Step { get; private set; } = -1;

    /// <summary>The step of the last snapshot every rank kept, committed or not (-1: none yet).</summary>
    public long KeptStep { get; private set; } = -1;

    /// <summary>The run resumes from <paramref name="initial"/> (one state per rank, all of one step): every rank restores it at the first join.</summary>
    public void Resume(ShardState[] initial)
    {
        if (initial.Length != _committed.Length) throw new ArgumentException($"The initial state has {initial.Length} ranks; the run has {_committed.Length}.", nameof(initial));
        Step = initial[0].Step;
        initial.CopyTo(_committed, 0);
        Array.Fill(_restore, true);
    }

    /// <summary>Takes <paramref name="rank"/>'s spare buffer to lend it to the rank (it belongs to the rank from now on), or null when there is none.</summary>
    public ShardState? TakeSpare(int rank)
    {
        var spare = _spare[rank];
        _spare[rank] = null;
        return spare;
    }

    /// <summary>A buffer <paramref name="rank"/> handed back in an abandoned round: it becomes the spare, or is disposed when there is one.</summary>
    public void Reclaim(int rank, ShardState state)
    {
        if (_committed.Contains(state)) return;
        if (_spare[rank] is null) _spare[rank] = state;
        else state.Dispose();
    }

    /// <summary>
    /// Every rank answered the snapshot round of <paramref name="step"/>: a state handed over becomes the rank's committed
    /// snapshot (the one before becomes its spare); a rank that keeps its snapshot on its own host holds none here, and its
    /// copies are those <paramref name="keepers"/> names once its buddy's host has confirmed one. <see cref="Step"/> becomes
    /// the last step every rank can be restored to.
    /// </summary>
    /// <param name="step">The step of the snapshot.</param>
    /// <param name="answer">Each rank's answer: <see cref="StateHandedOver"/> or <see cref="SnapshotKept"/>.</param>
    /// <param name="keepers">The hosts that keep rank r's snapshot: its own and its buddy's (none in one process).</param>
    public void Taken(long step, Func<int, PhaseResult?> answer, Func<int, IEnumerable<Address>> keepers)
    {
        long restorable = step;
        for (int r = 0; r < _committed.Length; r++)
        {
            if (answer(r) is StateHandedOver { State: var taken })
            {
                _spare[r] = _committed[r];
                _committed[r] = taken;
                continue;
            }
            _committed[r]?.Dispose(); // the rank keeps its snapshots on its own host from now on
            _committed[r] = null;
            if (answer(r) is SnapshotKept { Replicated: >= 0 } kept)
            {
                _replicated[r] = kept.Replicated;
                _copies[r].Clear();
                _copies[r].UnionWith(keepers(r));
            }
            restorable = Math.Min(restorable, _replicated[r]);
        }
        if (restorable >= 0) Step = restorable;
        KeptStep = step;
    }

    /// <summary>
    /// Decides which of the <paramref name="failed"/> ranks restore at the next join, and what runs after it, for a failure
    /// in <paramref name="current"/> with the run committed to <paramref name="committedStep"/>.
    /// </summary>
    /// <param name="failed">The failed ranks.</param>
    /// <param name="current">The round in flight when the failure was noticed.</param>
    /// <param name="committedStep">The run's last committed step.</param>
    /// <param name="seedCurrent">Whether a rank built from the seed is at the committed state (a fresh run that committed nothing yet).</param>
    public Plan PlanRecovery(IReadOnlyList<int> failed, PhaseRound current, long committedStep, bool seedCurrent)
    {
        bool snapshotCurrent = Step == committedStep;
        if (current.Phase is TrainingPhase.Connect or TrainingPhase.Join)
        {
            if (!snapshotCurrent && !seedCurrent) return Plan.Unrestorable;
            foreach (int rank in failed) _restore[rank] |= snapshotCurrent;
            return Plan.Stands;
        }
        bool changed = current.Phase == TrainingPhase.Optimizer || (current.Phase == TrainingPhase.Snapshot && current.Step > committedStep);
        if (!changed && (snapshotCurrent || seedCurrent))
        {
            foreach (int rank in failed) _restore[rank] = snapshotCurrent;
            return Plan.RunAgain;
        }
        if (Step < 0) return Plan.Unrestorable;
        Array.Fill(_restore, true);
        return Plan.Replay;
    }

    /// <summary><paramref name="rank"/> moves off host <paramref name="from"/>: it restores the state that host hands over, at the committed step.</summary>
    public void MoveFrom(int rank, Address from)
    {
        _movedFrom[rank] = from;
        _restore[rank] = true;
    }

    /// <summary>
    /// What <paramref name="rank"/> restores from at the join, or null when it keeps its state: the state its leaving host
    /// hands over, the snapshot held here (as <paramref name="send"/> packs it), or the one kept on a host.
    /// </summary>
    /// <param name="rank">The rank.</param>
    /// <param name="committedStep">The run's last committed step (the boundary a moved rank is handed over at).</param>
    /// <param name="node">The host the rank runs on (null: this process).</param>
    /// <param name="send">Packs a state held here for the rank.</param>
    /// <param name="isLostHost">Whether a host was lost.</param>
    public RestoreSource? SourceFor(int rank, long committedStep, Address? node, Func<ShardState, RestoreSource> send, Func<Address, bool> isLostHost)
    {
        if (!_restore[rank]) return null;
        if (_movedFrom[rank] is { } from) return new KeptSnapshot(committedStep, from);
        if (_committed[rank] is { } state) return send(state);
        if (Step < 0) return null;
        // Its own host's vault, or a copy on another live host.
        if (node is null || _copies[rank].Count == 0 || _copies[rank].Contains(node)) return new KeptSnapshot(Step);
        return new KeptSnapshot(Step, _copies[rank].First(n => !IsLost(n, isLostHost)));
    }

    /// <summary>The group re-formed: a rank that restored a copy from another host keeps it on its own host (<paramref name="nodeOf"/>; null in one process) from now on.</summary>
    public void Joined(Func<int, Address>? nodeOf)
    {
        for (int r = 0; r < _restore.Length; r++)
            if (_restore[r] && _committed[r] is null && nodeOf is not null && _copies[r].Count > 0 && _movedFrom[r] is null) _copies[r].Add(nodeOf(r));
        Array.Clear(_restore);
        Array.Clear(_movedFrom);
    }

    /// <summary>A new process took the address <paramref name="node"/> of a lost host: the copies the lost one kept are gone.</summary>
    public void HostReplaced(Address node)
    {
        foreach (var copies in _copies)
            if (copies.Remove(node)) copies.Add(GoneCopy);
    }

    /// <summary>The ranks to restore whose snapshot no live host holds (a rank and its buddy lost together).</summary>
    public List<int> Unrestorable(Func<Address, bool> isLostHost) => Enumerable.Range(0, _restore.Length)
        .Where(r => _restore[r] && _committed[r] is null && Step >= 0 && _copies[r].Count > 0 && _copies[r].All(n => IsLost(n, isLostHost)))
        .ToList();

    /// <summary>Every rank goes back to <paramref name="step"/>, its state cut from a checkpoint on disk by <paramref name="cut"/>.</summary>
    public void Load(long step, Func<int, ShardState> cut)
    {
        for (int r = 0; r < _committed.Length; r++)
        {
            _committed[r]?.Dispose();
            _committed[r] = cut(r);
            _copies[r].Clear();
        }
        Step = step;
        Array.Fill(_restore, true);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var state in _committed.Concat(_spare)) state?.Dispose();
    }

    private static bool IsLost(Address node, Func<Address, bool> isLostHost) => node == GoneCopy || isLostHost(node);
}
