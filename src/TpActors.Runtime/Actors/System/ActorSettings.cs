using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Actors;

/// <summary>The <c>tpactors.actor</c> settings an <see cref="ActorSystem"/> reads once at start; the defaults are in reference.conf.</summary>
/// <param name="AskTimeout">How long Ask waits when given no timeout.</param>
/// <param name="LogDeadLetters">How many dead letters are logged (0: none).</param>
/// <param name="LogDeadLettersDuringShutdown">Whether dead letters are logged while the system terminates.</param>
public sealed record ActorSettings(TimeSpan AskTimeout, int LogDeadLetters, bool LogDeadLettersDuringShutdown)
{
    /// <summary>Reads the settings from a resolved configuration that includes reference.conf.</summary>
    public static ActorSettings From(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var askTimeout = config.GetDuration("tpactors.actor.ask-timeout");
        if (askTimeout <= TimeSpan.Zero)
            throw new ConfigTypeException("tpactors.actor.ask-timeout", "a positive duration", askTimeout.ToString(), config.GetOrigin("tpactors.actor.ask-timeout"));
        int logDeadLetters = config.GetInt("tpactors.actor.log-dead-letters");
        if (logDeadLetters < 0)
            throw new ConfigTypeException("tpactors.actor.log-dead-letters", "a count of 0 or more", logDeadLetters.ToString(), config.GetOrigin("tpactors.actor.log-dead-letters"));
        return new ActorSettings(askTimeout, logDeadLetters, config.GetBoolean("tpactors.actor.log-dead-letters-during-shutdown"));
    }
}
