using TpActors.Runtime.Actors;

namespace TpActors.Testing;

/// <summary>
/// Expectations on the event stream, as in Akka's TestKit:
/// <code>EventFilter.Exception&lt;ArgumentException&gt;().ExpectOne(() =&gt; worker.Tell(badInput));</code>
/// <code>EventFilter.DeadLetter&lt;Ping&gt;().Expect(3, () =&gt; { ... });</code>
/// </summary>
public sealed class EventFilter
{
    private readonly ActorSystem _system;
    private readonly TestKitSettings _settings;

    internal EventFilter(ActorSystem system, TestKitSettings settings)
    {
        _system = system;
        _settings = settings;
    }

    /// <summary>Matches <see cref="Error"/> events whose cause is a <typeparamref name="TException"/> (and whose message contains <paramref name="contains"/>, if given).</summary>
    public EventExpectation Exception<TException>(string? contains = null) where TException : Exception =>
        new(_system, _settings, typeof(Error), e => e is Error { Cause: TException } error && Contains(error.Message, contains),
            $"Error events caused by {typeof(TException).Name}{About(contains)}");

    /// <summary>Matches any <see cref="Error"/> event (whose message contains <paramref name="contains"/>, if given).</summary>
    public EventExpectation Error(string? contains = null) =>
        new(_system, _settings, typeof(Error), e => Contains(((Error)e).Message, contains), $"Error events{About(contains)}");

    /// <summary>Matches any <see cref="Warning"/> event (whose message contains <paramref name="contains"/>, if given).</summary>
    public EventExpectation Warning(string? contains = null) =>
        new(_system, _settings, typeof(Warning), e => Contains(((Warning)e).Message, contains), $"Warning events{About(contains)}");

    /// <summary>Matches dead letters carrying a <typeparamref name="TMessage"/>.</summary>
    public EventExpectation DeadLetter<TMessage>() =>
        new(_system, _settings, typeof(DeadLetter), e => ((DeadLetter)e).Message is TMessage, $"dead letters of {typeof(TMessage).Name}");

    /// <summary>Matches every dead letter.</summary>
    public EventExpectation DeadLetter() => new(_system, _settings, typeof(DeadLetter), _ => true, "dead letters");

    private static bool Contains(string message, string? part) => part is null || message.Contains(part, StringComparison.Ordinal);

    private static string About(string? part) => part is null ? "" : $" containing \"{part}\"";
}
