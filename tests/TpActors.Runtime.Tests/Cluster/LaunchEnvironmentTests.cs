using TpActors.Runtime.Cluster;

namespace TpActors.Runtime.Tests.Cluster;

// SLURM's host lists and the launch environments a host reads its seed from.
public sealed class LaunchEnvironmentTests
{
    [Theory]
    [InlineData("node[01-04,07]", "node01 node02 node03 node04 node07")]
    [InlineData("a,b[1-2],c", "a b1 b2 c")]
    [InlineData("gpu[9-11]-ib", "gpu9-ib gpu10-ib gpu11-ib")]
    [InlineData("single", "single")]
    public void SlurmNodeLists_Expand(string list, string hosts) => Assert.Equal(hosts.Split(' '), SlurmNodeList.Expand(list));

    [Theory]
    [InlineData("node[01-04")]
    [InlineData("node[a-b]")]
    [InlineData("node[4-1]")]
    public void MalformedSlurmNodeLists_AreRefused(string list) => Assert.Contains(list, Assert.Throws<FormatException>(() => SlurmNodeList.Expand(list)).Message);

    [Fact]
    public void NoLauncher_NoEnvironment() => Assert.Null(LaunchEnvironment.Detect(new Dictionary<string, string> { ["HOME"] = "/root" }, 25520));

    [Fact]
    public void Torchrun_SeedsOnePortAboveItsStore()
    {
        var launch = LaunchEnvironment.Detect(new Dictionary<string, string> { ["RANK"] = "2", ["WORLD_SIZE"] = "4", ["LOCAL_RANK"] = "0", ["MASTER_ADDR"] = "10.0.0.5", ["MASTER_PORT"] = "29500" }, 25520)!;
        Assert.Equal(("torchrun", 2, 4, 0), (launch.Source, launch.Rank, launch.WorldSize, launch.LocalRank));
        Assert.Equal(new NodeAddress("10.0.0.5", 29501), launch.Seed);
        var options = launch.Apply(ClusterOptions.FromConfig(TpActors.Runtime.Configuration.ConfigFactory.Reference));
        Assert.Equal(["10.0.0.5:29501"], options.Seeds);
        Assert.Equal("0.0.0.0:0", options.Bind); // another machine's seed: reachable on every interface
    }

    [Fact]
    public void TheSeedProcess_StartsTheCluster_OnTheSeedAddress()
    {
        var launch = LaunchEnvironment.Detect(new Dictionary<string, string> { ["SLURM_PROCID"] = "0", ["SLURM_NTASKS"] = "2", ["SLURM_JOB_NODELIST"] = "node[3-4]" }, 4100)!;
        var options = launch.Apply(ClusterOptions.FromConfig(TpActors.Runtime.Configuration.ConfigFactory.Reference));
        Assert.Empty(options.Seeds);
        Assert.Equal("0.0.0.0:4100", options.Bind);
        Assert.Equal("node3", options.PublicHostname);
    }

    [Theory]
    [InlineData("OMPI_COMM_WORLD_RANK", "two")]
    [InlineData("OMPI_COMM_WORLD_RANK", "5")]
    public void ABadLaunchEnvironment_IsRefused_NamingTheVariable(string name, string value)
    {
        var error = Assert.Throws<ArgumentException>(() => LaunchEnvironment.Detect(new Dictionary<string, string> { [name] = value, ["OMPI_COMM_WORLD_SIZE"] = "2" }, 1));
        Assert.Contains(value == "5" ? "rank 5 of a world of 2" : $"{name}={value}", error.Message);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("host:99999")]
    [InlineData(":80")]
    public void BadNodeAddresses_AreRefused(string text) => Assert.Contains("is not HOST:PORT", Assert.Throws<ArgumentException>(() => NodeAddress.Parse(text, "--seed")).Message);
}
