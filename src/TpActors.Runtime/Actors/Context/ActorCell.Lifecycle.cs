namespace TpActors.Runtime.Actors;

// Start and stop: Create makes the instance and runs PreStart; Terminate stops the children, waits for each one's
// ChildTerminated, then runs PostStop, closes the mailbox and tells the watchers and the parent. So children always
// finish stopping before their parent.
internal sealed partial class ActorCell
{
    /// <summary>Set once by Terminate; read under the children lock by ActorOf on other threads, hence volatile.</summary>
    private volatile bool _isTerminating;

    private void CreateInstance()
    {
        try
        {
            _actor = NewActor();
            ResetBehaviors(_actor);
            _actor.InvokePreStart();
        }
        catch (Exception e)
        {
            HandleInvokeFailure(InitializationFailure("start", e), null);
        }
    }

    private ActorInitializationException InitializationFailure(string phase, Exception e) =>
        e as ActorInitializationException
        ?? new ActorInitializationException(Self, $"{Props.ActorType.Name} at {Self.Path} failed to {phase}: {e.Message}", e);

    private void BeginTerminate()
    {
        if (_isTerminating) return;
        IReadOnlyList<IInternalActorRef> children;
        lock (_childrenLock)
        {
            _isTerminating = true; // under the lock, so no ActorOf adds a child this loop misses
            children = StopRequestedForAll();
        }
        Mailbox.Suspend(); // user messages still queued go to dead letters when the mailbox closes
        UnwatchAll();
        foreach (var child in children) child.SendSystemMessage(new Terminate());
        if (children.Count == 0) FinishTerminate();
    }

    private void FinishTerminate()
    {
        if (_actor is { } actor)
        {
            try
            {
                actor.InvokePostStop();
            }
            catch (Exception e)
            {
                PublishError($"PostStop of {Props.ActorType.Name} at {Self.Path} threw: {e.Message}", e);
            }
        }
        _actor = null;
        ResetBehaviors(null);
        Mailbox.Close();
        _dispatcher.Detach(Mailbox);
        // The parent first, as in Akka: a parent that also watches this actor has freed the name by the time it
        // handles the Terminated (both system messages precede the Terminated user message they cause).
        if (ParentRef is { } parent) parent.SendSystemMessage(new ChildTerminated(_self));
        TellWatchersThatThisActorTerminated();
        if (ParentRef is null) System.OnRootTerminated();
    }

    private void HandleChildTerminated(IInternalActorRef child)
    {
        bool anyLeft;
        lock (_childrenLock)
        {
            if (_children.TryGetValue(child.Path.Name, out var stats) && stats.Child.Equals(child)) _children.Remove(child.Path.Name);
            anyLeft = _children.Count > 0;
        }
        if (_isTerminating)
        {
            if (!anyLeft) FinishTerminate();
        }
        else if (_pendingRestartCause is not null && !HasStoppingChildren())
        {
            FinishRecreate();
        }
    }
}
