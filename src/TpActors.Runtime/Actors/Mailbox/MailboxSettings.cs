using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Actors;

/// <summary>A mailbox section of the configuration (e.g. <c>tpactors.actor.bounded-mailbox</c>), read and checked once.</summary>
/// <param name="Id">The config path the section was read from.</param>
/// <param name="IsBounded">Bounded (true) or unbounded.</param>
/// <param name="Capacity">Messages a bounded mailbox holds.</param>
/// <param name="Overflow">What a full bounded mailbox does.</param>
/// <param name="PushTimeout">How long a back-pressured sender waits.</param>
internal sealed record MailboxSettings(string Id, bool IsBounded, int Capacity, MailboxOverflow Overflow, TimeSpan PushTimeout)
{
    /// <summary>Where a mailbox section of the user's own finds the keys it leaves out.</summary>
    public const string BoundedDefaultsPath = "tpactors.actor.bounded-mailbox";

    /// <summary>Reads the section at <paramref name="id"/>; throws <see cref="ArgumentException"/> naming the setting when it is missing or wrong.</summary>
    public static MailboxSettings Read(Config config, string id)
    {
        if (!config.HasPath(id) || !IsSection(config, id))
            throw new ArgumentException($"Mailbox '{id}' is not configured: there is no section at path '{id}' (the built-in ones are tpactors.actor.default-mailbox and {BoundedDefaultsPath}).", nameof(id));
        var section = config.GetConfig(id).WithFallback(config.GetConfig(BoundedDefaultsPath));
        string type = section.GetString("type");
        if (type is not ("bounded" or "unbounded"))
            throw new ArgumentException($"{id}.type is '{type}'; it must be one of: unbounded, bounded.", nameof(id));
        int capacity = section.GetInt("capacity");
        if (capacity <= 0) throw new ArgumentException($"{id}.capacity is {capacity}; a bounded mailbox must hold at least 1 message.", nameof(id));
        string overflow = section.GetString("overflow");
        var policy = overflow switch
        {
            "dead-letters" => MailboxOverflow.DeadLetters,
            "back-pressure" => MailboxOverflow.BackPressure,
            _ => throw new ArgumentException($"{id}.overflow is '{overflow}'; it must be one of: dead-letters, back-pressure.", nameof(id)),
        };
        return new MailboxSettings(id, type == "bounded", capacity, policy, section.GetDuration("push-timeout"));
    }

    private static bool IsSection(Config config, string path)
    {
        try
        {
            config.GetConfig(path);
            return true;
        }
        catch (ConfigException)
        {
            return false;
        }
    }

    /// <summary>A fresh queue of this kind.</summary>
    public IMessageQueue CreateQueue() =>
        IsBounded ? new BoundedMessageQueue(Capacity, Overflow, PushTimeout) : new UnboundedMessageQueue();
}
