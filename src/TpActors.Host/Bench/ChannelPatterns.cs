using System.Threading.Channels;

namespace TpActors.Host.Bench;

/// <summary>The baselines: the same patterns with tasks reading and writing raw <see cref="Channel{T}"/>s, no actors.</summary>
internal static class ChannelPatterns
{
    private sealed class Ball;

    private static Channel<Ball> NewChannel(bool singleWriter) =>
        Channel.CreateUnbounded<Ball>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = singleWriter });

    /// <summary><paramref name="pairs"/> pairs of tasks bouncing <paramref name="inFlight"/> balls through two channels each.</summary>
    public static Task PingPong(int pairs, long messages, int inFlight)
    {
        long perSide = messages / pairs / 2;
        var tasks = new List<Task>();
        for (int p = 0; p < pairs; p++)
        {
            var toPing = NewChannel(singleWriter: true);
            var toPong = NewChannel(singleWriter: true);
            for (int b = 0; b < inFlight; b++) toPong.Writer.TryWrite(new Ball());
            tasks.Add(Task.Run(() => Bounce(toPing.Reader, toPong.Writer, perSide)));
            tasks.Add(Task.Run(() => Bounce(toPong.Reader, toPing.Writer, perSide)));
        }
        return Task.WhenAll(tasks);
    }

    // Reads `count` balls, writing each back (the last few only until the partner has what it needs).
    private static async Task Bounce(ChannelReader<Ball> reader, ChannelWriter<Ball> writer, long count)
    {
        long received = 0;
        while (received < count && await reader.WaitToReadAsync())
        {
            while (received < count && reader.TryRead(out var ball))
            {
                received++;
                writer.TryWrite(ball);
            }
        }
    }

    /// <summary><paramref name="senders"/> tasks writing to one channel read by one task.</summary>
    public static async Task FanIn(int senders, long messages)
    {
        long perSender = messages / senders;
        long total = perSender * senders;
        var channel = NewChannel(singleWriter: false);
        var ball = new Ball();
        var reader = Task.Run(async () =>
        {
            long received = 0;
            while (received < total && await channel.Reader.WaitToReadAsync())
                while (received < total && channel.Reader.TryRead(out _)) received++;
        });
        var writers = Enumerable.Range(0, senders).Select(_ => Task.Run(() =>
        {
            for (long i = 0; i < perSender; i++) channel.Writer.TryWrite(ball);
        })).ToArray();
        await Task.WhenAll(writers);
        await reader;
    }
}
