namespace TpActors.Runtime.Actors;

/// <summary>What <c>Tell</c> does when a bounded mailbox is full.</summary>
public enum MailboxOverflow
{
    /// <summary>The message goes to dead letters at once; the sender never blocks.</summary>
    DeadLetters,

    /// <summary>The sender blocks until there is room, up to the push timeout; then the message goes to dead letters.</summary>
    BackPressure,
}
