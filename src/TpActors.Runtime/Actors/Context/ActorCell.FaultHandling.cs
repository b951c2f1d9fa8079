namespace TpActors.Runtime.Actors;

// Failure and supervision, as in Akka. A failing actor suspends its mailbox (the messages in it wait) and sends
// Failed, with the cause and the message being handled, to its parent. The parent's strategy decides: Resume,
// Restart (Recreate: PreRestart on the old instance, wait for the children it stopped, new instance, PostRestart,
// stash put back, mailbox resumed), Stop, or Escalate (the parent fails with the same cause).
internal sealed partial class ActorCell
{
    private bool _isFailed;                    // suspended after a failure, waiting for the supervisor's directive
    private object? _failedMessage;            // the message being handled when it failed, for PreRestart
    private Exception? _pendingRestartCause;   // a restart waiting for the children PreRestart stopped

    /// <summary>The actor failed with <paramref name="cause"/> while handling <paramref name="message"/> (null outside a receive).</summary>
    private void HandleInvokeFailure(Exception cause, object? message)
    {
        if (_isTerminating)
        {
            PublishError($"{Props.ActorType.Name} at {Self.Path} failed while stopping: {cause.Message}", cause);
            return;
        }
        if (_isFailed) return; // the supervisor is already deciding about an earlier failure
        _isFailed = true;
        _failedMessage = message;
        Mailbox.Suspend();
        if (ParentRef is { } parent) parent.SendSystemMessage(new Failed(_self, cause, message));
        else
        {
            PublishError($"The root guardian failed: {cause.Message}", cause);
            _self.SendSystemMessage(new Terminate());
        }
    }

    /// <summary>A child failed: ask the strategy, log the decision, apply it.</summary>
    private void HandleFailed(Failed failed)
    {
        var stats = FindChild(failed.Child);
        if (stats is null || _isTerminating) return; // a child that has stopped since, or one about to be stopped anyway
        var strategy = Props.SupervisorStrategy ?? _actor?.InvokeSupervisorStrategy() ?? SupervisorStrategy.Default;
        var directive = strategy.Decider(failed.Cause);
        if (directive == Directive.Escalate)
        {
            HandleInvokeFailure(failed.Cause, null);
            return;
        }
        LogFailure(failed, directive);
        strategy.Apply(directive, stats, ChildStats(), failed.Cause, System.Scheduler.Now);
    }

    private void LogFailure(Failed failed, Directive directive)
    {
        string during = failed.Message is null ? "" : $" while handling {failed.Message.GetType().Name}";
        string text = $"{failed.Child.Path} failed{during}: {failed.Cause.Message} ({directive})";
        System.EventStream.Publish(directive == Directive.Resume
            ? new Warning(failed.Child.Path.ToString(), text, failed.Cause)
            : new Error(failed.Child.Path.ToString(), text, failed.Cause));
    }

    private void FaultResume()
    {
        if (!_isFailed) return;
        if (_actor is null)
        {
            // Nothing to resume after a failed creation: make the instance instead.
            FaultRecreate(new InvalidOperationException($"{Self.Path} was resumed after it failed to start."));
            return;
        }
        _isFailed = false;
        _failedMessage = null;
        Mailbox.Resume();
    }

    private void FaultRecreate(Exception cause)
    {
        if (_isTerminating || _pendingRestartCause is not null) return;
        if (!_isFailed)
        {
            // A sibling's failure under an all-for-one strategy: this actor did not fail, so suspend it now, as a failure would.
            _isFailed = true;
            Mailbox.Suspend();
        }
        if (_actor is { } failedInstance)
        {
            try
            {
                failedInstance.InvokePreRestart(cause, _failedMessage);
            }
            catch (Exception e)
            {
                PublishError($"PreRestart of {Props.ActorType.Name} at {Self.Path} threw: {e.Message}", e);
            }
        }
        _actor = null;
        ResetBehaviors(null);
        _pendingRestartCause = cause;
        if (!HasStoppingChildren()) FinishRecreate();
    }

    private void FinishRecreate()
    {
        var cause = _pendingRestartCause!;
        _pendingRestartCause = null;
        _isFailed = false;
        _failedMessage = null;
        Mailbox.Resume();
        Stash.UnstashAll(); // the stash survives a restart: its messages go back in front of the mailbox
        try
        {
            _actor = NewActor();
            ResetBehaviors(_actor);
            _actor.InvokePostRestart(cause);
        }
        catch (Exception e)
        {
            HandleInvokeFailure(InitializationFailure("restart", e), null);
        }
    }
}
