using System.Diagnostics;
using System.Text.Json;

namespace TpActors.Host.Tests.Cluster;

// The cluster as users run it: host processes started by hand plus train --cluster, and launch; the same weights as one
// process, and no process left behind on any path.
[Collection(ClusterProcesses.Collection)]
public sealed class ClusterCommandTests
{
    [Fact]
    public void TwoHostsByHand_AndTrainCluster_EndWithTheWeightsOfOneProcess_AndLeaveOnSigterm()
    {
        var single = CliProcess.Run(["train", .. ClusterProcesses.SmallTraining]);
        Assert.True(single.ExitCode == 0, single.Error);

        var (first, seed) = ClusterProcesses.StartHost("--slots", "2");
        var (second, _) = ClusterProcesses.StartHost("--slots", "2", "--seed", seed);
        try
        {
            var distributed = CliProcess.Run(["train", .. ClusterProcesses.SmallTraining, "--cluster", seed]);
            Assert.True(distributed.ExitCode == 0, distributed.Error);
            Assert.Equal(ClusterProcesses.WeightsOf(single.Out), ClusterProcesses.WeightsOf(distributed.Out));
            Assert.Contains("rank  host", distributed.Error); // the placement table

            // The hosts outlive the job: its slots are free again for the next one.
            var next = CliProcess.Run(["verify", "--tp", "4", "--cluster", seed]);
            Assert.True(next.ExitCode == 0, next.Error);
        }
        finally
        {
            Assert.Equal(0, ClusterProcesses.Terminate(second));
            Assert.Equal(0, ClusterProcesses.Terminate(first));
        }
    }

    [Fact]
    public void AHostWithAnotherSecret_NeverServesAJob_AndAJobThatWouldNeedIt_IsRefusedAtOnce()
    {
        var strangerLog = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var (good, seed) = ClusterProcesses.StartHost("--slots", "2", "-D", "tpactors.cluster.secret=ours");
        var (stranger, strangerAddress) = ClusterProcesses.StartHost(line => strangerLog.Enqueue(line ?? ""), "--slots", "2", "--seed", seed, "-D", "tpactors.cluster.secret=theirs");
        try
        {
            // Four ranks: two slots hold the secret, two do not. Refused at once, naming the host it could use and the stranger.
            var refused = CliProcess.Run(["train", .. ClusterProcesses.SmallTraining, "--cluster", seed, "-D", "tpactors.cluster.secret=ours"]);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains($"The job needs 4 rank slots; the hosts that hold the cluster's secret have 2 slots in all ({seed}), and {strangerAddress} does not prove it holds the secret", refused.Error);
            Assert.DoesNotContain("did not answer its peers", refused.Error);

            // Two ranks fit on the host that holds the secret: they run there, and never on the stranger.
            var trained = CliProcess.Run(["train", .. ClusterProcesses.SmallTraining[2..], "--tp", "2", "--cluster", seed, "-D", "tpactors.cluster.secret=ours"]);
            Assert.True(trained.ExitCode == 0, trained.Error);
            var placement = trained.Error.Split('\n').SkipWhile(l => !l.Contains("rank  host", StringComparison.Ordinal)).Skip(1).Take(2).ToList();
            Assert.All(placement, row => Assert.Contains(seed, row));
            Assert.DoesNotContain(strangerLog, line => line.Contains("leased", StringComparison.Ordinal));
        }
        finally
        {
            Assert.Equal(0, ClusterProcesses.Terminate(stranger));
            Assert.Equal(0, ClusterProcesses.Terminate(good));
        }
    }

    [Fact]
    public void ClusterTargets_SayWhatIsWrong_AndANameIsResolvedToTheAddressTheHostAnnounced()
    {
        // A closed port: said at once (connection refused), not after the join timeout.
        int closed = FreePort();
        var refused = CliProcess.Run("verify", "--tp", "2", "--cluster", $"127.0.0.1:{closed}", "--json");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"--cluster 127.0.0.1:{closed}: nothing listens there (connection refused)", refused.Error);
        Assert.DoesNotContain("join-timeout", refused.Error);

        // localhost, where the host announced 127.0.0.1: the driver finds the address the host answers to.
        var (host, address) = ClusterProcesses.StartHost("--slots", "2");
        try
        {
            Assert.StartsWith("127.0.0.1:", address);
            var byName = CliProcess.Run("verify", "--tp", "2", "--cluster", "localhost:" + address.Split(':')[1]);
            Assert.True(byName.ExitCode == 0, byName.Error);
        }
        finally
        {
            Assert.Equal(0, ClusterProcesses.Terminate(host));
        }
    }

    [Fact]
    public void Launch_TrainsToTheWeightsOfOneProcess_AndStopsItsHosts()
    {
        string marker = ClusterProcesses.Marker();
        var single = CliProcess.Run(["train", .. ClusterProcesses.SmallTraining]);
        var launched = CliProcess.Run(["launch", "--nodes", "2", "--slots-per-node", "2", "-D", marker, "--", "train", .. ClusterProcesses.SmallTraining]);
        Assert.True(launched.ExitCode == 0, launched.Error);
        Assert.Equal(ClusterProcesses.WeightsOf(single.Out), ClusterProcesses.WeightsOf(launched.Out));
        Assert.Empty(ClusterProcesses.Running(marker)); // launch returns only after its hosts have exited
    }

    [Fact]
    public void VerifyOnTwoHosts_PassesEveryCheck_AndDumpsTheBytesOfOneProcess()
    {
        string one = Directory.CreateTempSubdirectory("tpactors-verify-one-").FullName, two = Directory.CreateTempSubdirectory("tpactors-verify-two-").FullName;
        try
        {
            string[] options = ["--tp", "3", "--hidden", "10", "--ffn", "22", "--batch", "5"];
            var single = CliProcess.Run(["verify", .. options, "--dump", one]);
            var launched = CliProcess.Run(["launch", "--nodes", "2", "--slots-per-node", "2", "--", "verify", .. options, "--dump", two, "--json"]);
            Assert.True(single.ExitCode == 0, single.Error);
            Assert.True(launched.ExitCode == 0, launched.Error);
            using var json = JsonDocument.Parse(launched.Out);
            Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
            var files = Directory.GetFiles(one).Select(Path.GetFileName).Order().ToList();
            Assert.Equal(13, files.Count); // the MLP's 12 tensors and manifest.json
            Assert.Equal(files, Directory.GetFiles(two).Select(Path.GetFileName).Order());
            foreach (var file in files) Assert.True(File.ReadAllBytes(Path.Combine(one, file!)).SequenceEqual(File.ReadAllBytes(Path.Combine(two, file!))), $"{file} differs");
        }
        finally
        {
            Directory.Delete(one, recursive: true);
            Directory.Delete(two, recursive: true);
        }
    }

    [Fact]
    public void Launch_OfAFailingJob_ExitsWithItsCode_AndStopsItsHosts()
    {
        string marker = ClusterProcesses.Marker();
        // A job that fails once the hosts are up (its checkpoint is missing): launch exits with its code, 1, and no host is left.
        string missing = Path.Combine(Path.GetTempPath(), $"tpactors-missing-{Guid.NewGuid():N}");
        var launched = CliProcess.Run(["launch", "--nodes", "2", "--slots-per-node", "2", "-D", marker, "--", "train", "--tp", "4", "--steps", "1", "--resume", missing]);
        Assert.Equal(1, launched.ExitCode);
        Assert.Contains("launch: 2 hosts up", launched.Error);
        Assert.Contains($"Checkpoint directory {missing} does not exist", launched.Error);
        Assert.Empty(ClusterProcesses.Running(marker));
    }

    [Fact]
    public async Task KilledLauncher_LeavesNoHostBehind()
    {
        string marker = ClusterProcesses.Marker();
        await using var launcher = await LongJob.StartAsync(marker, ranks: 4, slotsPerNode: 2, runningWhen: "rank  host"); // the placement table: the job is on the hosts
        Assert.Equal(2, ClusterProcesses.Running(marker).Count - 1); // the launcher and its two hosts carry the marker
        launcher.Process.Kill(); // SIGKILL: the launcher runs no cleanup of its own
        await launcher.Process.WaitForExitAsync();
        Assert.Empty(ClusterProcesses.WaitUntilGone(marker, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task CtrlC_OnTheLauncher_EndsTheJobAfterItsStep_AndStopsItsHosts()
    {
        string marker = ClusterProcesses.Marker();
        await using var launcher = await LongJob.StartAsync(marker, ranks: 2, slotsPerNode: 1, runningWhen: "step ");
        using (var interrupt = Process.Start("kill", ["-INT", launcher.Process.Id.ToString()])!) await interrupt.WaitForExitAsync();
        await launcher.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(launcher.Process.ExitCode == 130, launcher.Error); // the shell's code for SIGINT, after the step in flight
        Assert.Empty(ClusterProcesses.WaitUntilGone(marker, TimeSpan.FromSeconds(30)));
    }

    // A launched training that runs until stopped, started and waited for until a line of its stderr shows it running.
    private sealed class LongJob : IAsyncDisposable
    {
        private readonly System.Text.StringBuilder _error = new();

        private LongJob(Process process) => Process = process;

        public Process Process { get; }

        public string Error
        {
            get
            {
                lock (_error) return _error.ToString();
            }
        }

        public static async Task<LongJob> StartAsync(string marker, int ranks, int slotsPerNode, string runningWhen)
        {
            var start = CliProcess.StartInfo(["launch", "--nodes", "2", "--slots-per-node", slotsPerNode.ToString(), "-D", marker, "--",
                "train", "--tp", ranks.ToString(), "--steps", "3000", "--hidden", "24", "--ffn", "40"]);
            var job = new LongJob(Process.Start(start)!);
            var running = new TaskCompletionSource();
            job.Process.ErrorDataReceived += (_, e) =>
            {
                lock (job._error) job._error.AppendLine(e.Data);
                if (e.Data?.Contains(runningWhen, StringComparison.Ordinal) == true) running.TrySetResult();
            };
            job.Process.BeginErrorReadLine();
            job.Process.BeginOutputReadLine();
            try
            {
                await running.Task.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"No \"{runningWhen}\" line within 60s; the launcher's stderr:\n{job.Error}");
            }
            return job;
        }

        public async ValueTask DisposeAsync()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
            Process.Dispose();
        }
    }

    [Theory]
    [InlineData("torchrun", "RANK=1;WORLD_SIZE=4;LOCAL_RANK=1;MASTER_ADDR=127.0.0.1;MASTER_PORT=29500", 1, 4, "127.0.0.1:29501")]
    [InlineData("Open MPI", "OMPI_COMM_WORLD_RANK=2;OMPI_COMM_WORLD_SIZE=3;OMPI_COMM_WORLD_LOCAL_RANK=2", 2, 3, "127.0.0.1:25520")]
    [InlineData("SLURM", "SLURM_PROCID=3;SLURM_NTASKS=4;SLURM_LOCALID=0;SLURM_JOB_NODELIST=node[07-09,12]", 3, 4, "node07:25520")]
    public void PrintLaunchEnv_DerivesTheSeedFromEachLauncher(string launcher, string variables, int rank, int world, string seed)
    {
        var start = CliProcess.StartInfo(["host", "--print-launch-env", "--json"]);
        foreach (var name in new[] { "RANK", "WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "SLURM_PROCID" }) start.Environment.Remove(name);
        foreach (var pair in variables.Split(';')) start.Environment[pair.Split('=')[0]] = pair.Split('=')[1];
        var result = CliProcess.Run(start);
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(launcher, json.RootElement.GetProperty("launcher").GetString());
        Assert.Equal(rank, json.RootElement.GetProperty("rank").GetInt32());
        Assert.Equal(world, json.RootElement.GetProperty("world_size").GetInt32());
        Assert.Equal([seed], json.RootElement.GetProperty("seeds").EnumerateArray().Select(s => s.GetString()!));
    }

    [Fact]
    public void PrintLaunchEnv_OfTheSeedProcess_BindsTheSeedAddress()
    {
        var start = CliProcess.StartInfo(["host", "--print-launch-env", "--json"]);
        start.Environment["RANK"] = "0";
        start.Environment["WORLD_SIZE"] = "2";
        start.Environment["MASTER_ADDR"] = "127.0.0.1";
        start.Environment["MASTER_PORT"] = "29500";
        var result = CliProcess.Run(start);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Empty(json.RootElement.GetProperty("seeds").EnumerateArray());
        Assert.Equal("127.0.0.1:29501", json.RootElement.GetProperty("bind").GetString());
    }

    [Fact]
    public void HostsFromALaunchEnvironment_FormOneClusterWithNoFlags()
    {
        int port = FreePort();
        var started = new List<Process>();
        try
        {
            for (int rank = 0; rank < 2; rank++)
            {
                var start = CliProcess.StartInfo(["host", "--json", "--slots", "2"]);
                start.Environment["OMPI_COMM_WORLD_RANK"] = rank.ToString();
                start.Environment["OMPI_COMM_WORLD_SIZE"] = "2";
                start.Environment["OMPI_COMM_WORLD_LOCAL_RANK"] = rank.ToString();
                start.Environment["TPACTORS_CLUSTER_SECRET"] = "";
                start.ArgumentList.Add("-D");
                start.ArgumentList.Add($"tpactors.cluster.launch-port={port}");
                var process = Process.Start(start)!;
                process.BeginErrorReadLine();
                started.Add(process);
                Assert.NotNull(process.StandardOutput.ReadLine());
            }
            var trained = CliProcess.Run(["train", .. ClusterProcesses.SmallTraining, "--cluster", $"127.0.0.1:{port}"]);
            Assert.True(trained.ExitCode == 0, trained.Error);
        }
        finally
        {
            foreach (var process in Enumerable.Reverse(started)) ClusterProcesses.Terminate(process);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
