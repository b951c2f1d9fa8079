namespace TpActors.Runtime.Tests.Actors;

// Small actors shared by the runtime's tests.

/// <summary>Replies to every message with the same message.</summary>
internal sealed class EchoActor : ReceiveActor
{
    public EchoActor() => ReceiveAny(m => Sender.Tell(m, Self));
}

/// <summary>Forwards every message to a probe; reports its lifecycle hooks there too.</summary>
internal sealed class ReportingActor : ReceiveActor
{
    private readonly IActorRef _probe;

    public ReportingActor(IActorRef probe)
    {
        _probe = probe;
        Receive<Exception>(e => throw e);
        ReceiveAny(m => _probe.Tell(m, Sender));
    }

    protected override void PreStart() => _probe.Tell($"PreStart {Self.Path.Name}", Self);

    protected override void PostStop() => _probe.Tell($"PostStop {Self.Path.Name}", Self);

    protected override void PreRestart(Exception reason, object? message)
    {
        _probe.Tell($"PreRestart {Self.Path.Name} {reason.Message} {message?.GetType().Name}", Self);
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason)
    {
        _probe.Tell($"PostRestart {Self.Path.Name} {reason.Message}", Self);
        base.PostRestart(reason);
    }
}

/// <summary>Counts messages and reports the count on "count".</summary>
internal sealed class CountingActor : ReceiveActor
{
    private int _count;

    public CountingActor()
    {
        Receive<string>(s => Sender.Tell(_count, Self), s => s == "count");
        Receive<Exception>(e => throw e);
        ReceiveAny(_ => _count++);
    }
}

/// <summary>A parent that starts children on request, fails on an Exception message, and reports its hooks to a probe if given one.</summary>
internal sealed class ParentActor : ReceiveActor
{
    public sealed record StartChild(Props Props, string Name);

    private readonly IActorRef? _probe;

    public ParentActor() : this(null) { }

    public ParentActor(IActorRef? probe)
    {
        _probe = probe;
        Receive<StartChild>(s => Sender.Tell(Context.ActorOf(s.Props, s.Name), Self));
        Receive<Exception>(e => throw e);
    }

    protected override void PreStart() => _probe?.Tell($"PreStart {Self.Path.Name}", Self);

    protected override void PostStop() => _probe?.Tell($"PostStop {Self.Path.Name}", Self);

    protected override void PreRestart(Exception reason, object? message)
    {
        _probe?.Tell($"PreRestart {Self.Path.Name} {reason.Message}", Self);
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason)
    {
        _probe?.Tell($"PostRestart {Self.Path.Name}", Self);
        base.PostRestart(reason);
    }
}

/// <summary>Fails in its constructor.</summary>
internal sealed class FailsToStart : ReceiveActor
{
    public FailsToStart() => throw new InvalidOperationException("cannot start");
}
