namespace TpActors.Runtime.Actors;

/// <summary>Conveniences on <see cref="IActorRef"/>.</summary>
public static class ActorRefExtensions
{
    /// <summary>
    /// Sends a message with the current actor as sender when called inside an actor's turn, and with no sender otherwise
    /// (as Akka's <c>Tell(message)</c>).
    /// </summary>
    public static void Tell(this IActorRef receiver, object message)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        receiver.Tell(message, ActorCell.Current?.Self);
    }

    /// <summary>Sends a message on behalf of the current message's original sender, so that replies go to it.</summary>
    public static void Forward(this IActorRef receiver, object message)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        var cell = ActorCell.Current ?? throw new InvalidOperationException("Forward can only be called inside an actor's receive, where there is a sender to forward for.");
        receiver.Tell(message, cell.SenderOrNull);
    }
}
