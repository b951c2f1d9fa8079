using Akka.Actor;
using TpActors.Runtime.Configuration;

namespace TpActors.Host.Bench;

/// <summary><c>tpactors bench actors</c>: the cost of a message on Akka (ping-pong, fan-in, a rank's chunk Tell) beside raw channels between tasks.</summary>
/// <param name="Messages">Messages per timed run of each pattern.</param>
/// <param name="InFlight">Balls in flight per ping-pong pair.</param>
/// <param name="Senders">Senders in the fan-in pattern.</param>
/// <param name="Runs">Timed runs per pattern (the best counts), after one warm-up.</param>
public sealed record ActorBench(long Messages, int InFlight, int Senders, int Runs)
{
    /// <summary>The baseline every figure is compared with.</summary>
    public const string Baseline = "System.Threading.Channels between tasks";

    /// <summary>The settings of <c>tpactors.bench.actors</c>.</summary>
    public static ActorBench FromConfig(HoconConfig config) => new(
        config.GetLong("tpactors.bench.actors.messages"),
        config.GetInt("tpactors.bench.actors.in-flight"),
        config.GetInt("tpactors.bench.actors.senders"),
        config.GetInt("tpactors.bench.actors.runs"));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        SettingRules.Require("tpactors.bench.actors.messages", Messages, "--messages"); // so a run is long enough to time
        SettingRules.Require("tpactors.bench.actors.in-flight", InFlight, "--in-flight");
        SettingRules.Require("tpactors.bench.actors.senders", Senders, "--senders");
        if (Senders > Messages) throw new ArgumentException($"--senders {Senders}: must be at most the message count, {Messages}.");
        SettingRules.Require("tpactors.bench.actors.runs", Runs, "--runs");
    }

    /// <summary>Measures each pattern and its baseline on <paramref name="system"/>, reporting each pattern on <paramref name="progress"/> as it finishes.</summary>
    public async Task<IReadOnlyList<BenchResult>> Run(ActorSystem system, TextWriter progress)
    {
        return
        [
            await Measure("ping-pong 1 pair", () => ActorPatterns.PingPong(system, 1, Messages, InFlight), () => ChannelPatterns.PingPong(1, Messages, InFlight)),
            await Measure("ping-pong 2 pairs", () => ActorPatterns.PingPong(system, 2, Messages, InFlight), () => ChannelPatterns.PingPong(2, Messages, InFlight)),
            await Measure("fan-in", () => ActorPatterns.FanIn(system, Senders, Messages), () => ChannelPatterns.FanIn(Senders, Messages)),
            await Measure("256 KiB chunk Tell to a pinned rank", () => ActorPatterns.ChunkStream(system, Messages), () => ChannelPatterns.FanIn(1, Messages)),
        ];

        async Task<BenchResult> Measure(string name, Func<Task> actors, Func<Task> channels)
        {
            var baseline = await Measurement.Best(Runs, channels);
            var measured = await Measurement.Best(Runs, actors);
            var result = new BenchResult(name, Messages / measured.Seconds, "msg/s", Baseline, Messages / baseline.Seconds,
                (double)measured.AllocatedBytes / Messages, (double)baseline.AllocatedBytes / Messages);
            progress.WriteLine($"{name}: {result.Value:#,0} msg/s, {1e6 / result.Value:0.000} µs each (baseline {result.BaselineValue:#,0}, ratio {result.Ratio:0.00}x)");
            return result;
        }
    }
}
