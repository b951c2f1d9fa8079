using System.Diagnostics;
using System.Text.Json;
using TpActors.Tests.Shared;

namespace TpActors.Host.Tests.Cluster;

// Real host processes die mid-training (an injected kill makes the host SIGKILL itself at an exact phase, or a
// real SIGKILL arrives from outside): the lost ranks are placed on other hosts, restored from their buddies' copies (or
// from the last checkpoint when a rank and its copy were lost together), and the run ends with the fault-free weights.
[Collection(ClusterProcesses.Collection)]
public sealed class HostLossTests
{
    private static readonly string[] Training = ["--tp", "4", "--hidden", "24", "--ffn", "40", "--batch", "6", "--layers", "2", "--json"];

    // The soak's model: large enough that 100 steps outlast a fresh host's start and a recovery, so each kill lands mid-run.
    private static readonly string[] SoakTraining = ["--tp", "4", "--hidden", "256", "--ffn", "1024", "--batch", "64", "--layers", "2", "--json"];

    private static string FaultFree(int steps) => FaultFree(steps, Training);

    private static string FaultFree(int steps, string[] training)
    {
        var single = CliProcess.Run(["train", .. training, "--steps", steps.ToString()]);
        Assert.True(single.ExitCode == 0, single.Error);
        return ClusterProcesses.WeightsOf(single.Out);
    }

    private static CliRunner.Result Launch(int nodes, params string[] train)
    {
        string marker = ClusterProcesses.Marker();
        var launched = CliProcess.Run(["launch", "--nodes", nodes.ToString(), "--slots-per-node", "2", "-D", marker, "--", "train", .. Training, .. train]);
        Assert.Empty(ClusterProcesses.WaitUntilGone(marker, TimeSpan.FromSeconds(30)));
        return launched;
    }

    private static List<string> RecoveryKinds(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("recoveries").EnumerateArray().Select(r => r.GetProperty("kind").GetString()!).ToList();
    }

    // Whether a recovery kind is a host's as a whole: unreachable (suspected until the verdict), or lost (removed first).
    private static bool IsHostWide(string kind) => kind is "unreachable" or "lost";

    // The incidents (re-formings of the group) that recovered ranks of a host as a whole.
    private static int HostIncidents(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("recoveries").EnumerateArray().Where(r => IsHostWide(r.GetProperty("kind").GetString()!))
            .Select(r => r.GetProperty("incident").GetInt32()).Distinct().Count();
    }

    // A host lost in each phase: three hosts of two slots, so the loss finds two free slots. (Two losses within Akka's
    // stable-after of each other are decided by the split-brain resolver as one partition; see the soak test for losses in turn.)
    [Theory]
    [InlineData("batch")]
    [InlineData("forward")]
    [InlineData("loss")]
    [InlineData("backward")]
    [InlineData("optimizer")]
    [InlineData("snapshot")]
    public void AHostKilledInAnyPhase_EndsWithTheFaultFreeWeights(string phase)
    {
        var launched = Launch(3, "--steps", "6", "--fault", $"0:3:{phase}:kill");
        Assert.True(launched.ExitCode == 0, launched.Error);
        Assert.Equal(FaultFree(6), ClusterProcesses.WeightsOf(launched.Out));
        // Ranks 0 and 1, lost with their host. The first sign is rank 2's connection from rank 1 breaking when the host's
        // kernel closes it, before Akka.Cluster marks the host unreachable: a host that broke a connection first has died,
        // so it is lost at once (rank 0 with it), without waiting for the split-brain resolver.
        var kinds = RecoveryKinds(launched.Out);
        Assert.All(kinds, kind => Assert.Contains(kind, new[] { "lost", "stopped", "disconnected" }));
        Assert.Equal(2, kinds.Count);
        Assert.Equal("disconnected", kinds[0]);
        Assert.Contains("broke its bulk connection to rank 2", launched.Out);
        Assert.Contains("placed: rank 0 on ", launched.Error);
    }

    [Fact]
    public void AHostKilledMidwayThroughItsCheckpointFile_EndsWithTheFaultFreeWeights()
    {
        using var directory = new TempDirectory();
        var launched = Launch(3, "--steps", "6", "--checkpoint-dir", directory.Path, "--checkpoint-every", "2", "--fault", "2:4:checkpoint:kill");
        Assert.True(launched.ExitCode == 0, launched.Error);
        Assert.Equal(FaultFree(6), ClusterProcesses.WeightsOf(launched.Out));
        var resumed = CliProcess.Run(["train", .. Training, "--steps", "6", "--resume", directory.Path]);
        Assert.True(resumed.ExitCode == 0, resumed.Error); // the step-6 checkpoint written after the loss is complete
    }

    // Six one-slot hosts: rank r's snapshot is copied to rank r + 1's host. Both of those hosts are killed at once (neither
    // the oldest, whose side the split-brain resolver keeps), so rank r and its copy are lost together.
    [Fact]
    public async Task ARankAndItsCopyLostTogether_ResumeFromTheLastCheckpointByThemselves()
    {
        using var directory = new TempDirectory();
        var (exitCode, output, log) = await TrainWhileTwoNeighboursAreKilled(["--checkpoint-dir", directory.Path, "--checkpoint-every", "20"], "checkpoint: ");
        Assert.True(exitCode == 0, log);
        Assert.Equal(FaultFree(300), ClusterProcesses.WeightsOf(output));
        Assert.Contains("resuming from the checkpoint", log);
    }

    [Fact]
    public async Task ARankAndItsCopyLostTogether_WithoutACheckpoint_StopWithAReport()
    {
        var (exitCode, _, log) = await TrainWhileTwoNeighboursAreKilled([], "step ");
        Assert.True(exitCode == 1, log);
        Assert.Matches(@"Training stopped at step \d+, \w+ phase: ranks? [\d, ]+ and (its copy|their copies) of step \d+ were lost with hosts", log);
        Assert.Contains("no checkpoint was written", log);
    }

    private static async Task<(int ExitCode, string Output, string Log)> TrainWhileTwoNeighboursAreKilled(string[] train, string runningWhen)
    {
        var first = StartLoggedHost("--slots", "1");
        var hosts = new List<(Process Process, string Address, HostLog Log)> { first };
        for (int i = 0; i < 5; i++) hosts.Add(StartLoggedHost("--slots", "1", "--seed", first.Address));
        try
        {
            var process = Process.Start(CliProcess.StartInfo(["train", .. Training, "--steps", "300", "--cluster", first.Address, .. train]))!;
            var error = new System.Text.StringBuilder();
            var placement = new string?[4];
            var running = new TaskCompletionSource();
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (error) error.AppendLine(e.Data);
                if (e.Data.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var rank, var host, _] && int.TryParse(rank, out int r) && r < 4 && host.Contains(':'))
                    placement[r] = host;
                if (e.Data.StartsWith(runningWhen, StringComparison.Ordinal) && placement.All(p => p is not null)) running.TrySetResult();
            };
            process.BeginErrorReadLine();
            var output = process.StandardOutput.ReadToEndAsync();
            await running.Task.WaitAsync(TimeSpan.FromSeconds(60));
            int lost = Enumerable.Range(0, 4).First(r => placement[r] != first.Address && placement[(r + 1) % 4] != first.Address);
            var victims = hosts.Where(h => h.Address == placement[lost] || h.Address == placement[(lost + 1) % 4]).ToList();
            foreach (var victim in victims) victim.Process.Kill(); // SIGKILL, both at once
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
            string stdout = await output;
            lock (error) return (process.ExitCode, stdout, error.ToString());
        }
        finally
        {
            foreach (var host in hosts.Where(h => !h.Process.HasExited)) ClusterProcesses.Terminate(host.Process);
        }
    }

    // A real SIGKILL from outside, at whatever point the run is in.
    [Fact]
    public Task KillMinus9OfAHost_MidRun_EndsWithTheFaultFreeWeights() => TrainWhileAHostIsHit(async (victim, _, _, _) =>
    {
        victim.Process.Kill(); // SIGKILL
        await Task.CompletedTask;
    }, PlacedAnew);

    // Two hosts, no spare slot: kill -9 of one, and a new host started at its very address (as a supervisor such as systemd
    // restarts it) is where the lost ranks go; the run ends with the fault-free weights.
    [Fact]
    public async Task AHostRestartedOnItsOwnAddress_TakesBackItsRanks_AndTheRunEndsWithTheFaultFreeWeights()
    {
        const int steps = 1500; // long enough that the kill, the restart and the recovery land mid-run
        string expected = FaultFree(steps);
        // The hosts are stopped at the end with SIGTERM, which drains: a host that has not yet seen the driver removed (the
        // cluster converges again only after the old incarnation at the restarted address is removed) waits out
        // drain-timeout (60 s by default) for the job's slots. This test is about the restart, so the wait is shortened.
        string[] drainFast = ["-D", "tpactors.cluster.drain-timeout=10s"];
        var first = StartLoggedHost(["--slots", "2", .. drainFast]);
        var victim = StartLoggedHost(["--slots", "2", "--seed", first.Address, .. drainFast]);
        (Process Process, string Address, HostLog Log)? restarted = null;
        try
        {
            var train = Process.Start(CliProcess.StartInfo(["train", .. Training, "--steps", steps.ToString(), "--cluster", first.Address]))!;
            var error = new System.Text.StringBuilder();
            var running = new TaskCompletionSource();
            train.ErrorDataReceived += (_, e) =>
            {
                lock (error) error.AppendLine(e.Data);
                if (e.Data?.StartsWith("step ", StringComparison.Ordinal) == true) running.TrySetResult();
            };
            train.BeginErrorReadLine();
            var output = train.StandardOutput.ReadToEndAsync();
            await running.Task.WaitAsync(TimeSpan.FromSeconds(60));
            victim.Process.Kill(); // SIGKILL
            await victim.Process.WaitForExitAsync();
            restarted = StartLoggedHost(["--slots", "2", "--seed", first.Address, "--bind", victim.Address, .. drainFast]);
            Assert.Equal(victim.Address, restarted.Value.Address);
            await train.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
            string log;
            lock (error) log = error.ToString();
            Assert.True(train.ExitCode == 0, log);
            Assert.True(RecoveryKinds(await output).Any(IsHostWide), log);
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(log, $@"placed: rank \d on {System.Text.RegularExpressions.Regex.Escape(victim.Address)} slot [01]"), log); // on the new process at the old address
            Assert.Equal(expected, ClusterProcesses.WeightsOf(await output));
        }
        finally
        {
            foreach (var host in new[] { restarted, first }.OfType<(Process Process, string Address, HostLog Log)>().Where(h => !h.Process.HasExited))
                ClusterProcesses.Terminate(host.Process);
        }
    }

    // A frozen host (SIGSTOP) is unreachable like a dead one: once the split-brain resolver downs it, its ranks are placed
    // elsewhere. Thawed (SIGCONT), it finds itself downed, is refused by the cluster, and exits; whatever it still sends
    // belongs to an aborted attempt.
    [Fact]
    public Task AFrozenHost_IsDownedAndReplaced_AndExitsWhenThawed() => TrainWhileAHostIsHit(async (victim, placed, others, _) =>
    {
        Signal("-STOP", victim.Process);
        await placed.WaitAsync(TimeSpan.FromSeconds(60)); // its ranks run elsewhere now
        await others.Wait($"member {victim.Address} (host) was removed", TimeSpan.FromSeconds(60)); // the cluster downed it
        Signal("-CONT", victim.Process);
        await victim.Log.Wait("this node was removed from the cluster", TimeSpan.FromSeconds(60));
        await victim.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, victim.Process.ExitCode);
    }, PlacedAnew);

    // A host frozen (SIGSTOP) until Akka.Cluster marks it unreachable, and thawed (SIGCONT) before the split-brain resolver
    // decides (a long GC pause, a stalled network): its ranks are suspected and the group stops, then they start again
    // where they were, from the snapshots their own host kept. Nothing is placed elsewhere and the host stays a member.
    // The resolver is given 10 s of stable-after here, so that a loaded machine cannot turn the pause into a verdict.
    [Fact]
    public Task AHostUnreachableForAMoment_KeepsItsRanks_AndTheRunEndsWithTheFaultFreeWeights() => TrainWhileAHostIsHit(async (victim, _, others, _) =>
    {
        Signal("-STOP", victim.Process);
        await others.Wait($"member {victim.Address} (host) is unreachable", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(1)); // the other members' view reaches the driver
        Signal("-CONT", victim.Process);
        await others.Wait($"member {victim.Address} (host) is reachable again", TimeSpan.FromSeconds(30));
    }, (kinds, log) =>
    {
        Assert.NotEmpty(kinds); // the group stopped
        Assert.DoesNotContain("lost", kinds);
        Assert.Matches(@"(?m)^unreachable: host \S+; ranks 0, 1 wait for Akka.Cluster's verdict", log); // rank 0's host holds ranks 0 and 1
        Assert.Matches(@"(?m)^reachable again: host \S+; ranks 0, 1 start where they were", log);
        Assert.DoesNotContain("placed: rank", log);
    }, "akka.cluster.split-brain-resolver.stable-after=10s");

    // The driver frozen for 3 s (a long pause of its own): it finds every host unreachable when it thaws, and the hosts
    // find it unreachable. No side is downed, since reachability returns within stable-after; every rank is suspected and
    // then started where it was. Nothing is placed elsewhere (the spare host's two slots could not take four ranks).
    [Fact]
    public Task TheDriverFrozenForAMoment_FindsEveryHostReachableAgain_AndTheRunEndsWithTheFaultFreeWeights() => TrainWhileAHostIsHit(async (_, _, others, driver) =>
    {
        Signal("-STOP", driver);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Signal("-CONT", driver);
        await others.Wait("(driver) is reachable again", TimeSpan.FromSeconds(30));
    }, (kinds, log) =>
    {
        Assert.DoesNotContain("lost", kinds);
        Assert.Matches(@"(?m)^reachable again: host ", log);
        Assert.DoesNotContain("placed: rank", log);
    });

    // Without a downing provider no verdict comes: a host frozen past the verdict window (twice stable-after, plus the
    // confirm window: 8 s here) counts as lost, and its ranks are placed elsewhere.
    [Fact]
    public Task AHostUnreachableWithNoVerdict_CountsAsLostAfterTheWindow() => TrainWhileAHostIsHit(async (victim, placed, _, _) =>
    {
        Signal("-STOP", victim.Process);
        await placed.WaitAsync(TimeSpan.FromSeconds(60));
        Signal("-CONT", victim.Process);
    }, (kinds, log) =>
    {
        PlacedAnew(kinds, log);
        Assert.Contains("was unreachable for 8s without a verdict", log);
    }, "akka.cluster.downing-provider-class = \"\"");

    // SIGTERM to a host mid-run: its ranks move to free slots at the next step boundary, restored from the state it hands
    // over (no failure, no replay), then it leaves and exits 0.
    [Fact]
    public Task SigtermToAHost_MovesItsRanksAtAStepBoundary_ThenItLeaves() => TrainWhileAHostIsHit(async (victim, placed, _, _) =>
    {
        Signal("-TERM", victim.Process);
        await placed.WaitAsync(TimeSpan.FromSeconds(60));
        await victim.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, victim.Process.ExitCode);
        await victim.Log.Wait("draining: asked 1 job to move its ranks", TimeSpan.FromSeconds(1));
    }, (kinds, _) => Assert.Empty(kinds)); // nothing failed, nothing was replayed

    private static void Signal(string signal, Process process)
    {
        using var kill = Process.Start("kill", [signal, process.Id.ToString()])!;
        kill.WaitForExit();
    }

    // The ranks of a host as a whole were recovered, and rank 0 placed anew.
    private static void PlacedAnew(List<string> kinds, string log)
    {
        Assert.Contains(kinds, IsHostWide);
        Assert.Contains("placed: rank 0 ", log);
    }

    // Three hosts by hand and a 300-step run; once it runs, the host of rank 0 is hit (told when its ranks were placed
    // elsewhere, and given another host's log and the driver's process); the run must end with the fault-free weights, and
    // its recovery kinds and stderr pass the check. Each setting goes to the hosts and the driver as -D.
    private static async Task TrainWhileAHostIsHit(Func<(Process Process, string Address, HostLog Log), Task, HostLog, Process, Task> hit,
        Action<List<string>, string> recoveries, params string[] settings)
    {
        const int steps = 300;
        string expected = FaultFree(steps);
        string[] defines = [.. settings.SelectMany(s => new[] { "-D", s })];
        var first = StartLoggedHost(["--slots", "2", .. defines]);
        string seed = first.Address;
        var hosts = new[] { first, StartLoggedHost(["--slots", "2", "--seed", seed, .. defines]), StartLoggedHost(["--slots", "2", "--seed", seed, .. defines]) }
            .ToDictionary(h => h.Address);
        try
        {
            var train = Process.Start(CliProcess.StartInfo(["train", .. Training, "--steps", steps.ToString(), "--cluster", seed, .. defines]))!;
            var error = new System.Text.StringBuilder();
            var running = new TaskCompletionSource<string>();
            var placed = new TaskCompletionSource();
            string? rankZeroHost = null;
            train.ErrorDataReceived += (_, e) =>
            {
                lock (error) error.AppendLine(e.Data);
                var words = e.Data?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words is ["0", var host, "0"]) rankZeroHost = host; // the placement table's row of rank 0
                if (e.Data?.StartsWith("step ", StringComparison.Ordinal) == true && rankZeroHost is not null) running.TrySetResult(rankZeroHost);
                if (e.Data?.StartsWith("placed: rank 0 ", StringComparison.Ordinal) == true) placed.TrySetResult();
            };
            train.BeginErrorReadLine();
            var output = train.StandardOutput.ReadToEndAsync();
            var victim = hosts[await running.Task.WaitAsync(TimeSpan.FromSeconds(60))];
            await hit(victim, placed.Task, hosts.Values.First(h => h.Address != victim.Address).Log, train);
            await train.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
            string log;
            lock (error) log = error.ToString();
            Assert.True(train.ExitCode == 0, log);
            Assert.Equal(expected, ClusterProcesses.WeightsOf(await output));
            recoveries(RecoveryKinds(await output), log);
        }
        finally
        {
            foreach (var (host, _, _) in hosts.Values.Where(h => !h.Process.HasExited))
            {
                Signal("-CONT", host);
                ClusterProcesses.Terminate(host);
            }
        }
    }

    // The soak: 300 steps on three hosts; once past step 100 and again past step 200, a random host that holds ranks is
    // killed (SIGKILL) and a fresh host started in its place; the run ends with the fault-free weights.
    [Fact]
    public async Task Soak_AHostKilledEveryHundredSteps_AndReplaced_EndsWithTheFaultFreeWeights()
    {
        const int steps = 300;
        string expected = FaultFree(steps, SoakTraining);
        var first = StartLoggedHost("--slots", "2");
        var hosts = new List<(Process Process, string Address, HostLog Log)> { first, StartLoggedHost("--slots", "2", "--seed", first.Address), StartLoggedHost("--slots", "2", "--seed", first.Address) };
        var starting = new List<Task<(Process Process, string Address, HostLog Log)>>(); // fresh hosts, started beside the run
        try
        {
            var train = Process.Start(CliProcess.StartInfo(["train", .. SoakTraining, "--steps", steps.ToString(), "--cluster", first.Address]))!;
            var error = new System.Text.StringBuilder();
            var placement = new Dictionary<int, string>(); // rank → host, from the placement table and every "placed:" line
            var progress = System.Threading.Channels.Channel.CreateUnbounded<(long Step, int Placed)>(); // each progress line, with the "placed:" lines before it
            int placedLines = 0;
            train.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (error) error.AppendLine(e.Data);
                var words = e.Data.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                lock (placement)
                {
                    if (words is [var rank, var host, _] && int.TryParse(rank, out int r) && host.Contains(':')) placement[r] = host;
                    if (words is ["placed:", "rank", var moved, "on", var to, ..])
                    {
                        placement[int.Parse(moved)] = to;
                        placedLines++;
                    }
                    if (words is ["step", var at, ..] && long.TryParse(at.Split('/')[0], out long step)) progress.Writer.TryWrite((step, placedLines));
                }
            };
            train.BeginErrorReadLine();
            var output = train.StandardOutput.ReadToEndAsync();
            var random = new Random();
            int placedBefore = 0; // a kill waits for a progress line after the last loss's ranks were placed anew (lines may lag the run)
            foreach (long past in new long[] { 100, 200 })
            {
                while (await progress.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(120)) is var (step, placed) && (step < past || placed <= placedBefore && past > 100))
                {
                }
                // One loss at a time: the fresh host that replaced the last one is Up (so the last loss has been downed and
                // removed) before the next kill; two within the split-brain resolver's stable-after are decided together.
                foreach (var started in await Task.WhenAll(starting)) hosts.Add(started);
                starting.Clear();
                List<string> holding;
                lock (placement) holding = placement.Values.Distinct().ToList();
                string chosen = holding[random.Next(holding.Count)];
                var victim = hosts.FirstOrDefault(h => h.Address == chosen);
                if (victim.Process is null)
                    lock (error) throw new InvalidOperationException($"Rank host {chosen} is none of the hosts ({string.Join(", ", hosts.Select(h => h.Address))}); the run's stderr:\n{error}");
                lock (placement) placedBefore = placedLines;
                Assert.False(train.HasExited, $"The run ended before the host was killed past step {past}: make the soak's steps longer.");
                victim.Process.Kill(); // SIGKILL
                hosts.Remove(victim);
                var seeds = hosts.SelectMany(h => new[] { "--seed", h.Address }).ToList();
                starting.Add(Task.Run(() => StartLoggedHost(["--slots", "2", .. seeds])));
            }
            await train.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
            foreach (var started in await Task.WhenAll(starting)) hosts.Add(started); // the last fresh host came up too
            starting.Clear();
            string log;
            lock (error) log = error.ToString();
            Assert.True(train.ExitCode == 0, log);
            Assert.Equal(expected, ClusterProcesses.WeightsOf(await output));
            Assert.Equal(2, HostIncidents(await output)); // two hosts lost, each with its ranks, each recovered from at once
        }
        finally
        {
            foreach (var start in starting)
            {
                try
                {
                    hosts.Add(await start);
                }
                catch (Exception) when (start.IsFaulted)
                {
                    // That host never came up (the test has already failed): it left no process to stop.
                }
            }
            foreach (var host in hosts.Where(h => !h.Process.HasExited)) ClusterProcesses.Terminate(host.Process);
        }
    }

    // The driver dies (kill -9) mid-run: its hosts see it removed, stop the job's ranks, free their slots and stay up for
    // the next job; the run's committed checkpoints are left as they were.
    [Fact]
    public async Task KillMinus9OfTheDriver_FreesTheJobsSlots_AndTheHostsServeTheNextJob()
    {
        using var directory = new TempDirectory();
        var (first, seed, firstLog) = StartLoggedHost("--slots", "2");
        var (second, _, secondLog) = StartLoggedHost("--slots", "2", "--seed", seed);
        try
        {
            var train = Process.Start(CliProcess.StartInfo(["train", .. Training, "--steps", "3000", "--cluster", seed, "--checkpoint-dir", directory.Path, "--checkpoint-every", "20"]))!;
            var running = new TaskCompletionSource();
            train.ErrorDataReceived += (_, e) =>
            {
                if (e.Data?.StartsWith("checkpoint: ", StringComparison.Ordinal) == true) running.TrySetResult();
            };
            train.BeginErrorReadLine();
            train.BeginOutputReadLine();
            await running.Task.WaitAsync(TimeSpan.FromSeconds(60));
            train.Kill();
            await train.WaitForExitAsync();
            var committed = Committed(directory.Path);

            await Task.WhenAll(firstLog.Seen("job train ended"), secondLog.Seen("job train ended")).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(first.HasExited || second.HasExited);
            var next = CliProcess.Run(["verify", "--tp", "4", "--cluster", seed]); // all four slots are free again
            Assert.True(next.ExitCode == 0, next.Error);
            Assert.Equal(committed, Committed(directory.Path));
        }
        finally
        {
            Assert.Equal(0, ClusterProcesses.Terminate(second));
            Assert.Equal(0, ClusterProcesses.Terminate(first));
        }
    }

    // Every committed step directory's metadata, as text.
    private static List<string> Committed(string root) => Directory.GetFiles(root, "metadata.json", SearchOption.AllDirectories).Order()
        .Select(f => f + "\n" + File.ReadAllText(f)).ToList();

    private static (Process Process, string Address, HostLog Log) StartLoggedHost(params string[] args)
    {
        var log = new HostLog();
        var (process, address) = ClusterProcesses.StartHost(log.Add, args);
        return (process, address, log);
    }

    // A host's stderr lines, and a wait for one that contains a text.
    private sealed class HostLog
    {
        private readonly List<string> _lines = [];
        private readonly List<(string Text, TaskCompletionSource Seen)> _waiting = [];

        public void Add(string? line)
        {
            if (line is null) return;
            lock (_lines)
            {
                _lines.Add(line);
                foreach (var wait in _waiting.Where(w => line.Contains(w.Text, StringComparison.Ordinal))) wait.Seen.TrySetResult();
            }
        }

        // Waits for a line with text; past the timeout, fails with every line seen.
        public async Task Wait(string text, TimeSpan timeout)
        {
            try
            {
                await Seen(text).WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                lock (_lines) throw new TimeoutException($"No line with \"{text}\" within {timeout.TotalSeconds}s; the host's stderr:\n{string.Join("\n", _lines)}");
            }
        }

        public Task Seen(string text)
        {
            lock (_lines)
            {
                var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_lines.Any(l => l.Contains(text, StringComparison.Ordinal))) seen.SetResult();
                else _waiting.Add((text, seen));
                return seen.Task;
            }
        }
    }
}
