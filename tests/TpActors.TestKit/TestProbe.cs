using System.Collections.Concurrent;
using System.Diagnostics;
using TpActors.Runtime.Actors;

namespace TpActors.Testing;

/// <summary>
/// An actor the test thread drives: hand its <see cref="Ref"/> to the actors under test, then assert on what it
/// receives with <c>ExpectMsg</c>, <c>ExpectNoMsg</c>, <c>ExpectTerminated</c>, <c>FishForMessage</c>; answer with
/// <see cref="Reply"/> or <see cref="Forward"/>. Every wait without an explicit timeout lasts the dilated default, or
/// what is left of the enclosing <see cref="Within(TimeSpan, TimeSpan, Action)"/>.
/// </summary>
[DebuggerDisplay("TestProbe {Ref.Path}, {_received.Count} queued")]
public sealed class TestProbe
{
    private readonly BlockingCollection<ReceivedMessage> _received = new();
    private readonly TestKitSettings _settings;
    private DateTimeOffset? _end;     // the deadline of the innermost Within, or null outside one
    private ReceivedMessage? _last;

    internal TestProbe(ActorSystem system, TestKitSettings settings, string? name)
    {
        _settings = settings;
        Ref = system.ActorOf(Props.Create(() => new ProbeActor(_received)), name);
    }

    /// <summary>The probe's actor: give it to the actors under test as a recipient or sender.</summary>
    public IActorRef Ref { get; }

    /// <summary>The sender of the last message received; fails when there is none.</summary>
    public IActorRef LastSender => _last?.Sender ?? throw new TestKitFailure($"{Ref.Path} has not received a message with a sender yet.");

    /// <summary>The last message received, or null.</summary>
    public object? LastMessage => _last?.Message;

    /// <summary>Messages received and not yet expected.</summary>
    public int QueuedCount => _received.Count;

    /// <summary>What is left of the enclosing Within block, or the dilated single-expect default outside one.</summary>
    public TimeSpan RemainingOrDefault => _end is { } end ? Max(end - DateTimeOffset.UtcNow, TimeSpan.Zero) : _settings.Dilated(_settings.SingleExpectDefault);

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> with the probe as sender.</summary>
    public void Send(IActorRef target, object message) => target.Tell(message, Ref);

    /// <summary>Expects the next message to be a <typeparamref name="T"/> and returns it.</summary>
    public T ExpectMsg<T>(TimeSpan? timeout = null) => ExpectMsg<T>(static _ => true, timeout);

    /// <summary>Expects the next message to be a <typeparamref name="T"/> that passes <paramref name="predicate"/>.</summary>
    public T ExpectMsg<T>(Predicate<T> predicate, TimeSpan? timeout = null, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var wait = timeout ?? RemainingOrDefault;
        var received = Receive(wait) ?? throw new TestKitFailure(
            $"Timeout ({Describe(wait)}) while waiting at {Ref.Path} for a message of type {typeof(T).Name}{Hint(hint)}.");
        if (received.Message is not T typed)
            throw new TestKitFailure($"{Ref.Path} expected a message of type {typeof(T).Name}{Hint(hint)} but received {Show(received)}.");
        if (!predicate(typed))
            throw new TestKitFailure($"{Ref.Path} received {Show(received)}, which does not satisfy the predicate{Hint(hint)}.");
        return typed;
    }

    /// <summary>Expects the next message to equal <paramref name="expected"/>.</summary>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null) where T : notnull =>
        ExpectMsg<T>(m => Equals(m, expected), timeout, $"equal to {expected}");

    /// <summary>Expects no message for <paramref name="duration"/> (default: the dilated expect-no-message default).</summary>
    public void ExpectNoMsg(TimeSpan? duration = null)
    {
        var wait = duration ?? (_end is not null ? RemainingOrDefault : _settings.Dilated(_settings.ExpectNoMessageDefault));
        if (Receive(wait) is { } received)
            throw new TestKitFailure($"{Ref.Path} expected no message for {Describe(wait)} but received {Show(received)}.");
    }

    /// <summary>Expects the <see cref="Terminated"/> of <paramref name="target"/>, which the probe must <see cref="Watch"/>.</summary>
    public Terminated ExpectTerminated(IActorRef target, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        return ExpectMsg<Terminated>(t => t.ActorRef.Equals(target), timeout, $"for {target.Path}");
    }

    /// <summary>Skips messages until one passes <paramref name="isMessage"/>, and returns it; fails if none comes in time.</summary>
    public object FishForMessage(Predicate<object> isMessage, TimeSpan? timeout = null, string? hint = null) =>
        FishForMessage<object>(isMessage, timeout, hint);

    /// <summary>Skips messages until a <typeparamref name="T"/> passes <paramref name="isMessage"/>, and returns it.</summary>
    public T FishForMessage<T>(Predicate<T> isMessage, TimeSpan? timeout = null, string? hint = null)
    {
        ArgumentNullException.ThrowIfNull(isMessage);
        var wait = timeout ?? RemainingOrDefault;
        var deadline = DateTimeOffset.UtcNow + wait;
        var skipped = new List<string>();
        while (true)
        {
            var received = Receive(Max(deadline - DateTimeOffset.UtcNow, TimeSpan.Zero));
            if (received is null)
            {
                string seen = skipped.Count == 0 ? "nothing" : string.Join(", ", skipped);
                throw new TestKitFailure($"Timeout ({Describe(wait)}) while fishing at {Ref.Path} for a {typeof(T).Name}{Hint(hint)}; skipped {seen}.");
            }
            if (received.Message is T typed && isMessage(typed)) return typed;
            skipped.Add(Show(received));
        }
    }

    /// <summary>Receives the next <paramref name="count"/> messages, whatever they are.</summary>
    public IReadOnlyList<object> ReceiveN(int count, TimeSpan? timeout = null)
    {
        var wait = timeout ?? RemainingOrDefault;
        var deadline = DateTimeOffset.UtcNow + wait;
        var messages = new List<object>(count);
        while (messages.Count < count)
        {
            var received = Receive(Max(deadline - DateTimeOffset.UtcNow, TimeSpan.Zero))
                ?? throw new TestKitFailure($"Timeout ({Describe(wait)}) at {Ref.Path} after {messages.Count} of {count} messages.");
            messages.Add(received.Message);
        }
        return messages;
    }

    /// <summary>Answers the sender of the last message received, with the probe as sender.</summary>
    public void Reply(object message) => LastSender.Tell(message, Ref);

    /// <summary>Sends the last message received on to <paramref name="target"/>, keeping its original sender.</summary>
    public void Forward(IActorRef target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var last = _last ?? throw new TestKitFailure($"{Ref.Path} has not received a message to forward.");
        target.Tell(last.Message, last.Sender);
    }

    /// <summary>Makes the probe watch <paramref name="target"/>: its <see cref="Terminated"/> will arrive as a message.</summary>
    public IActorRef Watch(IActorRef target)
    {
        Ref.Tell(new ProbeActor.WatchRequest(target, Watch: true), null);
        return target;
    }

    /// <summary>Withdraws a <see cref="Watch"/>.</summary>
    public IActorRef Unwatch(IActorRef target)
    {
        Ref.Tell(new ProbeActor.WatchRequest(target, Watch: false), null);
        return target;
    }

    /// <summary>Runs <paramref name="block"/> and checks that it took at least <paramref name="min"/> and at most <paramref name="max"/> (dilated); expectations inside default to what is left of <paramref name="max"/>.</summary>
    public void Within(TimeSpan min, TimeSpan max, Action block) => Within(min, max, () => { block(); return 0; });

    /// <summary>Runs <paramref name="block"/> and checks that it took at most <paramref name="max"/> (dilated).</summary>
    public void Within(TimeSpan max, Action block) => Within(TimeSpan.Zero, max, block);

    /// <summary>Runs <paramref name="block"/> within bounds, as <see cref="Within(TimeSpan, TimeSpan, Action)"/>, and returns its result.</summary>
    public T Within<T>(TimeSpan min, TimeSpan max, Func<T> block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (min > max) throw new ArgumentException($"Within's min ({Describe(min)}) is greater than its max ({Describe(max)}).", nameof(min));
        var dilatedMax = _settings.Dilated(max);
        var start = DateTimeOffset.UtcNow;
        var outer = _end;
        var end = start + dilatedMax;
        _end = outer is { } o && o < end ? o : end;
        T result;
        try
        {
            result = block();
        }
        finally
        {
            _end = outer;
        }
        var elapsed = DateTimeOffset.UtcNow - start;
        if (elapsed < min) throw new TestKitFailure($"The block took {Describe(elapsed)}, less than Within's min of {Describe(min)}.");
        if (elapsed > dilatedMax) throw new TestKitFailure($"The block took {Describe(elapsed)}, more than Within's max of {Describe(dilatedMax)} (dilated).");
        return result;
    }

    private ReceivedMessage? Receive(TimeSpan wait)
    {
        if (!_received.TryTake(out var received, wait)) return null;
        _last = received;
        return received;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string Hint(string? hint) => hint is null ? "" : $" ({hint})";

    private static string Show(ReceivedMessage received) =>
        $"{received.Message.GetType().Name} {received.Message} from {received.Sender?.Path.ToString() ?? "no sender"}";

    internal static string Describe(TimeSpan t) => t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.###} s" : $"{t.TotalMilliseconds:0.###} ms";
}
