namespace TpActors.Runtime.Actors;

// DeathWatch. The watcher keeps the set it watches; the watchee keeps the set watching it. When the watchee stops it
// sends DeathWatchNotification to each watcher, and a Watch that reaches it after it stopped is answered the same way
// (HandleDeadSystemMessage), so a watch is always answered. The watcher turns a notification into one Terminated
// user message, and only while the watch stands: Unwatch, or a second notification, delivers nothing.
internal sealed partial class ActorCell
{
    private readonly HashSet<IActorRef> _watching = [];            // actors this one watches
    private readonly HashSet<IActorRef> _terminatedQueued = [];    // their Terminated, queued to self and not yet handled
    private readonly HashSet<IInternalActorRef> _watchedBy = [];   // actors watching this one

    public IActorRef Watch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject.Equals(_self) || subject is not IInternalActorRef target) return subject;
        if (_watching.Add(subject)) target.SendSystemMessage(new Watch(target, _self));
        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (_watching.Remove(subject) && subject is IInternalActorRef target) target.SendSystemMessage(new Unwatch(target, _self));
        _terminatedQueued.Remove(subject);
        return subject;
    }

    private void AddWatcher(Watch watch)
    {
        if (!watch.Watcher.Equals(_self)) _watchedBy.Add(watch.Watcher);
    }

    private void RemoveWatcher(Unwatch unwatch) => _watchedBy.Remove(unwatch.Watcher);

    private void WatchedActorTerminated(IActorRef actor)
    {
        if (!_watching.Remove(actor) || _isTerminating) return;
        _terminatedQueued.Add(actor);
        _self.Tell(new TerminatedNotice(new Terminated(actor)), actor);
    }

    private void TellWatchersThatThisActorTerminated()
    {
        foreach (var watcher in _watchedBy) watcher.SendSystemMessage(new DeathWatchNotification(_self));
        _watchedBy.Clear();
    }

    private void UnwatchAll()
    {
        foreach (var subject in _watching)
            if (subject is IInternalActorRef target) target.SendSystemMessage(new Unwatch(target, _self));
        _watching.Clear();
        _terminatedQueued.Clear();
    }

    /// <summary>The wrapper a watcher queues to itself, so that a <see cref="Terminated"/> another actor forwards is an ordinary message.</summary>
    private sealed record TerminatedNotice(Terminated Terminated);
}
