using System.Collections.Concurrent;
using TpActors.Runtime.Actors;

namespace TpActors.Testing;

/// <summary>The actor behind a <see cref="TestProbe"/>: queues every message for the test thread, and watches on request.</summary>
internal sealed class ProbeActor(BlockingCollection<ReceivedMessage> received) : ActorBase
{
    /// <summary>Asks the probe's actor to watch (or unwatch) an actor; handled, not queued.</summary>
    internal sealed record WatchRequest(IActorRef Target, bool Watch);

    protected override bool Receive(object message)
    {
        if (message is WatchRequest request)
        {
            if (request.Watch) Context.Watch(request.Target);
            else Context.Unwatch(request.Target);
        }
        else received.Add(new ReceivedMessage(message, Context.Sender.Equals(Context.System.DeadLetters) ? null : Context.Sender));
        return true;
    }
}
