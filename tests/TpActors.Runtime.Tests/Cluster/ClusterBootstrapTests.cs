using TpActors.Runtime.Cluster;
using TpActors.Runtime.Configuration;
using TpActors.Tests.Shared;

namespace TpActors.Runtime.Tests.Cluster;

// What a member's configuration becomes: the secret read from its file, TLS addresses, and binds refused without TLS.
public sealed class ClusterBootstrapTests
{
    private static ClusterOptions Options(string bind = "127.0.0.1:0") => ClusterOptions.FromConfig(ConfigFactory.Reference) with { Bind = bind, Seeds = ["127.0.0.1:2552"] };

    [Fact]
    public void TheSecretFile_BecomesTheSecret_AndAnEmptyOneIsRefused()
    {
        using var directory = new TempDirectory();
        string file = directory.Write("secret", "  s3cret-from-file\n");
        var config = ConfigLoader.Load(null, [$"tpactors.cluster.secret-file={file}", "tpactors.cluster.secret=\"\""]).Config;
        Assert.Equal("s3cret-from-file", ClusterBootstrap.Configure(config, Options(), ClusterBootstrap.HostRole).GetString("tpactors.cluster.secret"));

        string empty = directory.Write("empty", "\n");
        var refused = ConfigLoader.Load(null, [$"tpactors.cluster.secret-file={empty}", "tpactors.cluster.secret=\"\""]).Config;
        Assert.Contains("it is empty", Assert.Throws<ArgumentException>(() => ClusterBootstrap.Configure(refused, Options(), ClusterBootstrap.HostRole)).Message);
    }

    [Fact]
    public void WithACertificate_SeedsAreTlsAddresses_AndWithoutOne_AReachableBindIsRefused()
    {
        var tls = ConfigLoader.Load(null, ["tpactors.cluster.tls.certificate=/any/cluster.pfx"]).Config;
        var configured = ClusterBootstrap.Configure(tls, Options("0.0.0.0:0"), ClusterBootstrap.HostRole);
        Assert.Equal(["akka.ssl.tcp://tpactors@127.0.0.1:2552"], configured.GetStringList("akka.cluster.seed-nodes"));
        Assert.True(configured.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl"));

        var open = Assert.Throws<ArgumentException>(() => ClusterBootstrap.Configure(ConfigFactory.Reference, Options("0.0.0.0:0"), ClusterBootstrap.HostRole));
        Assert.Contains("--insecure", open.Message);
        var insecure = ClusterBootstrap.Configure(ConfigFactory.Reference, Options("0.0.0.0:0") with { Insecure = true }, ClusterBootstrap.HostRole);
        Assert.Equal(["akka.tcp://tpactors@127.0.0.1:2552"], insecure.GetStringList("akka.cluster.seed-nodes"));
    }
}
