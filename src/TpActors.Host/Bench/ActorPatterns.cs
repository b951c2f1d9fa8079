using Akka.Actor;
using TpActors.Layers.Ranks;

namespace TpActors.Host.Bench;

/// <summary>The measured patterns on Akka actors: ping-pong between pairs, many senders to one actor, and a chunk stream into a rank's pinned thread.</summary>
internal static class ActorPatterns
{
    /// <summary>The message bounced around; one instance per ball in flight, so a bounce allocates nothing.</summary>
    private sealed class Ball;

    /// <summary>Sends every ball back to its sender, until told to stop counting.</summary>
    private sealed class Pong : ActorBase
    {
        protected override bool Receive(object message)
        {
            Sender.Tell(message, Self);
            return true;
        }
    }

    /// <summary>Asks a counting actor to answer <see cref="Finished"/> once it has received all its messages.</summary>
    private sealed record WhenFinished
    {
        public static WhenFinished Instance { get; } = new();
    }

    /// <summary>The answer to <see cref="WhenFinished"/>.</summary>
    private sealed record Finished
    {
        public static Finished Instance { get; } = new();
    }

    /// <summary>Counts the messages it receives and answers whoever asked <see cref="WhenFinished"/> when it has <c>target</c> of them.</summary>
    private abstract class Counter(long target) : ActorBase
    {
        private long _received;
        private IActorRef? _asker;

        protected sealed override bool Receive(object message)
        {
            if (message is WhenFinished)
            {
                _asker = Sender;
                return true;
            }
            if (++_received == target) _asker?.Tell(Finished.Instance);
            OnCounted(message, _received < target);
            return true;
        }

        protected virtual void OnCounted(object message, bool more) { }
    }

    /// <summary>Bounces balls with its partner until it has received its share of the messages.</summary>
    private sealed class Ping(IActorRef partner, long target) : Counter(target)
    {
        protected override void OnCounted(object message, bool more)
        {
            if (more) partner.Tell(message, Self);
        }
    }

    /// <summary>Counts messages.</summary>
    private sealed class Sink(long target) : Counter(target);

    // Asked before any message is sent, so the count cannot finish before the question arrives.
    private static Task WhenDone(IActorRef counter) => counter.Ask<Finished>(WhenFinished.Instance, Timeout.InfiniteTimeSpan);

    /// <summary><paramref name="pairs"/> independent ping-pong pairs with <paramref name="inFlight"/> balls each; <paramref name="messages"/> in all.</summary>
    public static async Task PingPong(ActorSystem system, int pairs, long messages, int inFlight)
    {
        long perPing = messages / pairs / 2; // each bounce is one message to Ping and one to Pong
        var done = new List<Task>();
        var started = new List<IActorRef>();
        for (int p = 0; p < pairs; p++)
        {
            var pong = system.ActorOf(Props.Create<Pong>());
            var ping = system.ActorOf(Props.Create(() => new Ping(pong, perPing)));
            started.Add(pong);
            started.Add(ping);
            done.Add(WhenDone(ping));
            for (int b = 0; b < inFlight; b++) pong.Tell(new Ball(), ping);
        }
        await Task.WhenAll(done);
        foreach (var actor in started) system.Stop(actor);
    }

    /// <summary><paramref name="senders"/> thread-pool tasks each telling one actor <paramref name="messages"/>/<paramref name="senders"/> messages.</summary>
    public static async Task FanIn(ActorSystem system, int senders, long messages)
    {
        long perSender = messages / senders;
        var sink = system.ActorOf(Props.Create(() => new Sink(perSender * senders)));
        var finished = WhenDone(sink);
        var ball = new Ball();
        var tasks = Enumerable.Range(0, senders).Select(_ => Task.Run(() =>
        {
            for (long i = 0; i < perSender; i++) sink.Tell(ball, null);
        })).ToArray();
        await Task.WhenAll(tasks);
        await finished;
        system.Stop(sink);
    }

    /// <summary>
    /// One thread telling <paramref name="messages"/> collective-sized chunks (256 KiB, by reference, as a rank's message
    /// carries one) to an actor on the ranks' pinned dispatcher: what a chunk costs as an Akka message.
    /// </summary>
    public static async Task ChunkStream(ActorSystem system, long messages)
    {
        RankDispatcher.EnsureConfigured(system);
        var rank = system.ActorOf(Props.Create(() => new Sink(messages)).WithDispatcher(RankDispatcher.Id));
        var finished = WhenDone(rank);
        var chunk = new float[256 * 1024 / sizeof(float)];
        await Task.Run(() =>
        {
            for (long i = 0; i < messages; i++) rank.Tell(chunk, null);
        });
        await finished;
        system.Stop(rank);
    }
}
