using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Tests.Configuration;

/// <summary>The reference configurations of Akka.NET: real-world HOCON that must parse, resolve and read back as written.</summary>
public class AkkaReferenceTests
{
    public static TheoryData<string> Files() =>
        ["Configuration-akka.conf", "Configuration-Remote.conf", "Configuration-Cluster.conf", "Internal-Reference.conf"];

    private static HoconConfig Load(string name) =>
        ConfigFactory.ParseFile(Path.Combine(HoconCorpus.Root!, "akka-reference", name)).Resolve(useEnvironment: false);

    [CorpusTheory]
    [MemberData(nameof(Files))]
    public void File_ParsesAndResolves(string name)
    {
        var config = Load(name);
        Assert.True(config.HasPath("akka"), $"{name} defines its settings under 'akka'");
        ConfigFactory.ParseString(config.ToHocon()).Resolve(useEnvironment: false);
    }

    [CorpusFact]
    public void Cluster_ValuesReadBackAsWritten()
    {
        var c = Load("Configuration-Cluster.conf");
        Assert.Equal(8.0, c.GetDouble("akka.cluster.failure-detector.threshold"));
        Assert.Equal(TimeSpan.FromSeconds(3), c.GetDuration("akka.cluster.failure-detector.acceptable-heartbeat-pause"));
        Assert.Equal(TimeSpan.FromSeconds(1), c.GetDuration("akka.cluster.failure-detector.heartbeat-interval"));
        Assert.Equal(1000, c.GetInt("akka.cluster.failure-detector.max-sample-size"));
        Assert.Equal("Akka.Remote.PhiAccrualFailureDetector, Akka.Remote", c.GetString("akka.cluster.failure-detector.implementation-class"));
    }

    [CorpusFact]
    public void Remote_ValuesReadBackAsWritten()
    {
        var c = Load("Configuration-Remote.conf");
        Assert.Equal(128_000, c.GetBytes("akka.remote.dot-netty.tcp.maximum-frame-size"));
        Assert.Equal(2552, c.GetInt("akka.remote.dot-netty.tcp.port"));
        Assert.Equal(TimeSpan.FromSeconds(15), c.GetDuration("akka.remote.dot-netty.tcp.connection-timeout"));
        Assert.False(c.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));
    }

    [CorpusFact]
    public void Akka_ValuesReadBackAsWritten()
    {
        var c = Load("Configuration-akka.conf");
        Assert.Equal(TimeSpan.FromSeconds(20), c.GetDuration("akka.actor.creation-timeout"));
        Assert.Equal(30, c.GetInt("akka.actor.default-dispatcher.throughput"));
        Assert.Equal(10, c.GetInt("akka.actor.synchronized-dispatcher.throughput"));
        Assert.Equal(TimeSpan.Zero, c.GetDuration("akka.actor.default-dispatcher.throughput-deadline-time"));
        Assert.Equal("INFO", c.GetString("akka.loglevel"));
        Assert.Equal(["Akka.Event.DefaultLogger"], c.GetStringList("akka.loggers"));
    }
}
