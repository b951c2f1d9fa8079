using Akka.Actor;
using TpActors.Layers.Execution;

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

    /// <summary>Bounces balls with its partner; completes its done signal after receiving its share of the messages.</summary>
    private sealed class Ping(IActorRef partner, long target, TaskCompletionSource done) : ActorBase
    {
        private long _received;

        protected override bool Receive(object message)
        {
            if (++_received == target) done.TrySetResult();
            if (_received < target) partner.Tell(message, Self);
            return true;
        }
    }

    /// <summary>Counts messages; completes when it has them all.</summary>
    private sealed class Sink(long target, TaskCompletionSource done) : ActorBase
    {
        private long _received;

        protected override bool Receive(object message)
        {
            if (++_received == target) done.TrySetResult();
            return true;
        }
    }

    /// <summary><paramref name="pairs"/> independent ping-pong pairs with <paramref name="inFlight"/> balls each; <paramref name="messages"/> in all.</summary>
    public static async Task PingPong(ActorSystem system, int pairs, long messages, int inFlight)
    {
        long perPing = messages / pairs / 2; // each bounce is one message to Ping and one to Pong
        var done = new List<Task>();
        var started = new List<IActorRef>();
        for (int p = 0; p < pairs; p++)
        {
            var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var pong = system.ActorOf(Props.Create<Pong>());
            var ping = system.ActorOf(Props.Create(() => new Ping(pong, perPing, finished)));
            started.Add(pong);
            started.Add(ping);
            done.Add(finished.Task);
            for (int b = 0; b < inFlight; b++) pong.Tell(new Ball(), ping);
        }
        await Task.WhenAll(done);
        foreach (var actor in started) system.Stop(actor);
    }

    /// <summary><paramref name="senders"/> thread-pool tasks each telling one actor <paramref name="messages"/>/<paramref name="senders"/> messages.</summary>
    public static async Task FanIn(ActorSystem system, int senders, long messages)
    {
        long perSender = messages / senders;
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = system.ActorOf(Props.Create(() => new Sink(perSender * senders, finished)));
        var ball = new Ball();
        var tasks = Enumerable.Range(0, senders).Select(_ => Task.Run(() =>
        {
            for (long i = 0; i < perSender; i++) sink.Tell(ball, null);
        })).ToArray();
        await Task.WhenAll(tasks);
        await finished.Task;
        system.Stop(sink);
    }

    /// <summary>
    /// One thread telling <paramref name="messages"/> collective-sized chunks (256 KiB, by reference, as a rank's message
    /// carries one) to an actor on the ranks' pinned dispatcher: what a chunk costs as an Akka message.
    /// </summary>
    public static async Task ChunkStream(ActorSystem system, long messages)
    {
        RankDispatcher.EnsureConfigured(system);
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rank = system.ActorOf(Props.Create(() => new Sink(messages, finished)).WithDispatcher(RankDispatcher.Id));
        var chunk = new float[256 * 1024 / sizeof(float)];
        await Task.Run(() =>
        {
            for (long i = 0; i < messages; i++) rank.Tell(chunk, null);
        });
        await finished.Task;
        system.Stop(rank);
    }
}
