using Akka.Actor;
using Akka.Event;
using TpActors.Layers.Collectives;
using TpActors.Layers.Optimizers;
using TpActors.Layers.Checkpoints;

namespace TpActors.Layers.Training;

// Failures: how each kind is noticed, and the recovery that re-forms the group and replays from the last snapshot.
public sealed partial class TrainingSupervisor
{
    private void Answered(int rank, PhaseRound round) => _rounds.Answered(rank, round);

    private void OnThrew(RankThrew threw)
    {
        Answered(threw.Rank, threw.Round);
        Recover([new RankFailure(threw.Rank, FailureKind.Threw, threw.Cause.Message, threw.Round)]);
    }

    private void OnStalled(PhaseStalled stalled)
    {
        Answered(stalled.Rank, stalled.Round);
        if (stalled.Round != _rounds.Current) return;
        var suspects = stalled.Missing.Where(r => r != stalled.Rank && (uint)r < (uint)_ranks.Length).Distinct().ToList();
        if (suspects.Count == 0) suspects = [stalled.Rank];
        Recover(suspects.Select(r => new RankFailure(r, FailureKind.Hung,
            $"did not answer its peers in a collective within {_options.Settings.CollectiveTimeout.TotalSeconds:0.###}s (reported by rank {stalled.Rank})", StuckIn(r))).ToList());
    }

    private void OnFailed(PhaseFailed failed)
    {
        Answered(failed.Rank, failed.Round);
        if (failed.Round != _rounds.Current) return;
        if (failed.Round.Phase == TrainingPhase.Checkpoint) FailCheckpoint(failed.Round.Step, $"rank {failed.Rank} could not write its file: {failed.Reason}");
        else Fail($"Training stopped at {failed.Round}: rank {failed.Rank}: {failed.Reason}. {CheckpointSentence}");
    }

    private void OnTimedOut(PhaseTimedOut timedOut)
    {
        if (timedOut.Round != _rounds.Current || !_rounds.Waiting) return;
        var silent = _rounds.Silent;
        Recover(silent.Select(r => new RankFailure(r, FailureKind.Hung, $"did not answer within the phase timeout of {_options.Settings.PhaseTimeout.TotalSeconds:0.###}s", StuckIn(r))).ToList());
    }

    private void OnTerminated(Terminated terminated)
    {
        int rank = Array.IndexOf(_ranks, terminated.ActorRef);
        if (rank < 0 || _finished || _rankCouldNotStart) return; // a rank already replaced, or one whose start failed (RankCouldNotStart ends the run)
        Recover([new RankFailure(rank, FailureKind.Stopped, "its actor stopped (DeathWatch)", StuckIn(rank))]);
    }

    // The round a silent or stopped rank was in.
    private PhaseRound StuckIn(int rank) => _rounds.StuckIn(rank);

    // Each failure names the round it happened in; a failure noticed while an earlier one is being recovered from (a second
    // rank that threw in the same step) happened in that earlier round, not in the re-forming one.
    // counted: the failures belong to an incident whose first failure was counted against the retry budget already.
    private void Recover(IReadOnlyList<RankFailure> failures, bool counted = false)
    {
        if (_finished) return;
        var current = _rounds.Current;
        foreach (var (rank, kind, cause, failedIn) in failures)
        {
            var recovery = new Recovery(rank, failedIn.Step, failedIn.Phase, kind, cause);
            _recoveries.Open(recovery, _clock.Elapsed, _actionStartedAt);
            _log.Info("Rank {0} failed at {1}: {2}. Recovering.", rank, _rounds.Current, cause);
            Publish(new RankRecovering(Run, recovery));
        }
        Timers.Cancel(PhaseTimer);
        // A lost or unreachable host is one incident, however many of the run's ranks it held.
        int incidents = counted ? 0 : failures.Count(f => !IsHostWide(f.Kind)) + (failures.Any(f => IsHostWide(f.Kind)) ? 1 : 0);
        if (!_budget.TryRecord(incidents, _clock.Elapsed))
        {
            FailAtLastFailure($"{LastFailure}. That is {_budget.InWindow} failures within {_options.Settings.RetryWindow.TotalSeconds:0.###}s, " +
                $"more than tpactors.training.max-retries = {_options.Settings.MaxRetries}. {CheckpointSentence}");
            return;
        }

        // Abandon the attempt: ranks waiting in one of its collectives return at once, its late messages are dropped.
        string aborted = Group;
        var abort = new AbortGroup(aborted, $"rank {failures[0].Rank} failed in {_rounds.Current}");
        // Not to a host lost, unreachable or suspected of being dead: a connection to it could only wait out its timeout.
        var suspectHosts = failures.Where(f => f.Kind == FailureKind.Disconnected).Select(f => _hosts!.Node(f.Rank)).ToHashSet();
        foreach (var endpoint in _endpoints)
        {
            if (endpoint is null) continue;
            var node = endpoint.Rank.Path.Address;
            if (IsLostHost(node) || _hosts?.IsUnreachable(node) == true || suspectHosts.Contains(node)) continue;
            using var link = _transport.Connect(endpoint);
            link.Post(abort);
        }
        _attempt++;
        foreach (var (rank, kind, _, _) in failures)
        {
            if (kind == FailureKind.Threw) continue; // restarting in place
            Context.Unwatch(_ranks[rank]);
            if (kind is FailureKind.Hung or FailureKind.Lost or FailureKind.Disconnected or FailureKind.Unreachable) Context.Stop(_ranks[rank]);
            if (AwaitsHost(rank, kind)) continue;
            _ranks[rank] = Spawn(rank);
        }

        if (!PlanRestore(failures.Select(f => f.Rank).ToList(), current)) return;
        Proceed();
    }

    // Failures that are one incident per host, however many ranks it held.
    private static bool IsHostWide(FailureKind kind) => kind is FailureKind.Lost or FailureKind.Unreachable;

    // Decides which ranks to restore and what to run after the rejoin; false (and the run failed) when nothing can be restored.
    private bool PlanRestore(IReadOnlyList<int> failed, PhaseRound current)
    {
        bool seedCurrent = !_resumed && _committedStep == _startStep; // a rank built from the seed is at the committed state
        switch (_snapshots.PlanRecovery(failed, current, _committedStep, seedCurrent))
        {
            case SnapshotBook.Plan.Unrestorable:
                return FailUnrestorable();
            case SnapshotBook.Plan.RunAgain:
                _afterJoin = _current; // the survivors are at the committed state: run the same action again
                break;
            case SnapshotBook.Plan.Replay:
                _committedStep = _snapshots.Step; // everyone goes back to the snapshot and the steps since are replayed
                _afterJoin = NextAction;
                break;
        }
        return true;
    }

    private bool FailUnrestorable()
    {
        FailAtLastFailure($"{LastFailure}, and there is no in-memory snapshot to restore it from (tpactors.training.snapshot-every = {_options.Settings.SnapshotEvery}). " +
            (LastCheckpoint is null ? "No checkpoint was written." : $"Resume from the last checkpoint, {LastCheckpoint}, which is intact."));
        return false;
    }

    // Ends the run at the step and phase of the failure recovered last; rest follows "phase: ".
    private void FailAtLastFailure(string rest)
    {
        var last = _recoveries.Last;
        Fail($"Training stopped at step {last.Step}, {TrainingPhases.Name(last.Phase)} phase: {rest}");
    }

    // The failure recovered last, as "rank R <its cause>".
    private string LastFailure => $"rank {_recoveries.Last.Rank} {_recoveries.Last.Cause}";
}
