using System.Diagnostics;
using System.Text.Json;
using TpActors.Tests.Shared;

namespace TpActors.Host.Tests.Cluster;

// A cluster closed to strangers: hosts holding the cluster's certificate form it over TLS and train as one process would;
// a node with another certificate, or none, cannot join; a host refuses a reachable bind without TLS unless --insecure.
[Collection(ClusterProcesses.Collection)]
public sealed class ClusterTlsTests
{
    [Fact]
    public void NodesWithTheClustersCertificate_TrainOverTls_AndOthersCannotJoin()
    {
        using var directory = new TempDirectory();
        string mine = NewCert(directory.File("mine")), other = NewCert(directory.File("other"));
        var again = CliProcess.Run(["cluster", "new-cert", directory.File("mine")]);
        Assert.Equal(1, again.ExitCode); // never overwritten
        Assert.Contains("is never overwritten", again.Error);

        string[] tls = ["-D", $"tpactors.cluster.tls.certificate={mine}"];
        var single = CliProcess.Run(["train", .. ClusterProcesses.SmallTraining]);
        var (first, seed) = ClusterProcesses.StartHost(["--slots", "2", .. tls]);
        var (second, _) = ClusterProcesses.StartHost(["--slots", "2", "--seed", seed, .. tls]);
        try
        {
            var distributed = CliProcess.Run(["train", .. ClusterProcesses.SmallTraining, "--cluster", seed, .. tls]);
            Assert.True(distributed.ExitCode == 0, distributed.Error);
            Assert.Equal(ClusterProcesses.WeightsOf(single.Out), ClusterProcesses.WeightsOf(distributed.Out));

            // launch gives its own -D to its hosts and to the job alike.
            var launched = CliProcess.Run(["launch", "--nodes", "2", "--slots-per-node", "2", .. tls, "--", "train", .. ClusterProcesses.SmallTraining]);
            Assert.True(launched.ExitCode == 0, launched.Error);
            Assert.Equal(ClusterProcesses.WeightsOf(single.Out), ClusterProcesses.WeightsOf(launched.Out));

            foreach (string[] stranger in new[] { new[] { "-D", $"tpactors.cluster.tls.certificate={other}" }, Array.Empty<string>() })
            {
                var refused = CliProcess.Run(["host", "--slots", "1", "--seed", seed, "-D", "tpactors.cluster.join-timeout=4s", .. stranger]);
                Assert.Equal(1, refused.ExitCode);
                Assert.Contains("No seed answered within 4s", refused.Error);
            }
        }
        finally
        {
            Assert.Equal(0, ClusterProcesses.Terminate(second));
            Assert.Equal(0, ClusterProcesses.Terminate(first));
        }
    }

    [Fact]
    public async Task AReachableBindWithoutTls_IsRefused_UnlessInsecure()
    {
        var refused = CliProcess.Run(["host", "--bind", "0.0.0.0:0", "-D", "tpactors.cluster.public-hostname=127.0.0.1"]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("is not a loopback address and the cluster has no TLS certificate", refused.Error);

        var start = CliProcess.StartInfo(["host", "--json", "--bind", "0.0.0.0:0", "--insecure", "-D", "tpactors.cluster.public-hostname=127.0.0.1"]);
        using var host = Process.Start(start)!;
        var warning = host.StandardError.ReadLineAsync();
        using (JsonDocument.Parse((await host.StandardOutput.ReadLineAsync())!)) { } // up: its address
        Assert.Contains("--insecure", await warning);
        _ = host.StandardError.ReadToEndAsync();
        Assert.Equal(0, ClusterProcesses.Terminate(host));
    }

    private static string NewCert(string directory)
    {
        var made = CliProcess.Run(["cluster", "new-cert", directory, "--json"]);
        Assert.True(made.ExitCode == 0, made.Error);
        using var json = JsonDocument.Parse(made.Out);
        return json.RootElement.GetProperty("certificate").GetString()!;
    }
}
