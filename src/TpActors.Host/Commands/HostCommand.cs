using Akka.Actor;
using System.CommandLine;
using System.Runtime.InteropServices;
using TpActors.Runtime.Cluster;
using TpActors.Runtime.Configuration;
using TpActors.Layers.Ranks;
using TpActors.Host.Dashboard;

namespace TpActors.Host.Commands;

/// <summary><c>tpactors host</c>: one cluster node that offers rank slots to jobs' drivers, until SIGINT or SIGTERM.</summary>
public static class HostCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CommandContext context)
    {
        var options = new ConfigOptions();
        var seeds = new Option<string[]>("--seed")
        {
            Description = "A seed node to join, HOST:PORT (repeatable). Without one: tpactors.cluster.seed-nodes, else the launch environment " +
                "(torchrun, Open MPI, SLURM), else this node starts a new cluster.",
            HelpName = "HOST:PORT",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var bind = new Option<string?>("--bind") { Description = SettingHelp.Describe("Where Akka.Remote listens; port 0: the OS picks", "tpactors.cluster.bind"), HelpName = "HOST:PORT" };
        var slots = new Option<int?>("--slots") { Description = SettingHelp.Describe("Rank slots to offer; 0: one per core", "tpactors.cluster.slots"), HelpName = "N" };
        var json = new Option<bool>("--json") { Description = "Print the node's address as one JSON object on the first stdout line (logs go to stderr)." };
        var printEnv = new Option<bool>("--print-launch-env") { Description = "Print the launch environment found (torchrun, Open MPI, SLURM) and the options derived from it, then exit." };
        var stdinClose = new Option<bool>("--exit-on-stdin-close") { Description = "Leave the cluster and exit when stdin closes (how `tpactors launch` keeps no host behind it)." };
        var dashboard = new DashboardOptions("the cluster's members as this host sees them (Up, Unreachable, Down, Removed), its slots, and its log of leases and releases");
        var insecure = new Option<bool>("--insecure") { Description = "Allow a non-loopback --bind without TLS (tpactors.cluster.tls.certificate): only on a network you trust." };

        var command = new Command("host",
            "Run one node of a TpActors cluster: join it (or start it), offer rank slots, and host the rank actors of jobs whose drivers " +
            "(train --cluster, verify --cluster, launch) lease them. The first stdout line is the node's address. SIGINT or SIGTERM: leave and exit 0.");
        options.AddTo(command);
        foreach (var option in new Option[] { seeds, bind, slots, json, printEnv, stdinClose, insecure }.Concat(dashboard.All)) command.Options.Add(option);
        command.SetAction(parse => context.Guard(parse, () =>
        {
            var loaded = options.Load(parse);
            foreach (var warning in loaded.Warnings) context.Error.WriteLine($"warning: {warning}");
            ClusterOptions cluster;
            LaunchEnvironment? launch;
            System.Net.IPEndPoint? pageAt;
            try
            {
                pageAt = dashboard.Endpoint(parse);
                (cluster, launch) = Options(loaded.Config, parse.GetValue(seeds) ?? [], parse.GetValue(bind), parse.GetValue(slots));
                cluster = cluster with { Insecure = parse.GetValue(insecure) };
                bool tls = parse.GetValue(printEnv) || ClusterBootstrap.RequireSafeBind(loaded.Config, cluster); // printing binds nothing
                if (!tls && cluster.Insecure && !parse.GetValue(printEnv)) context.Error.WriteLine($"warning: host: --insecure: {cluster.Bind} can be reached from other machines and Akka.Remote runs without TLS: anyone who reaches it can join the cluster.");
            }
            catch (ArgumentException e)
            {
                return context.Fail(parse, ExitCodes.Usage, $"tpactors: {e.Message}", e);
            }
            if (parse.GetValue(printEnv))
            {
                var derived = new Dictionary<string, object?>
                {
                    ["launcher"] = launch?.Source,
                    ["rank"] = launch?.Rank,
                    ["world_size"] = launch?.WorldSize,
                    ["local_rank"] = launch?.LocalRank,
                    ["seeds"] = cluster.Seeds,
                    ["bind"] = cluster.Bind,
                    ["public_hostname"] = cluster.PublicHostname,
                    ["slots"] = cluster.EffectiveSlots,
                };
                if (parse.GetValue(json)) JsonOutput.WriteLine(context.Out, derived);
                else
                {
                    context.Out.WriteLine(launch is null ? "launch environment: none (no torchrun, Open MPI or SLURM variables)" : $"launch environment: {launch.Source}, rank {launch.Rank} of {launch.WorldSize} (local rank {launch.LocalRank})");
                    context.Out.WriteLine($"seeds: {(cluster.Seeds.Count == 0 ? "none: this node starts the cluster" : string.Join(", ", cluster.Seeds))}");
                    context.Out.WriteLine($"bind: {cluster.Bind}{(cluster.PublicHostname.Length > 0 ? $" (reached as {cluster.PublicHostname})" : "")}");
                    context.Out.WriteLine($"slots: {cluster.EffectiveSlots}");
                }
                return ExitCodes.Success;
            }
            return Run(context, parse, loaded.Config, cluster, parse.GetValue(json), parse.GetValue(stdinClose), pageAt, dashboard.Keep(parse)).GetAwaiter().GetResult();
        }));
        return command;
    }

    // The options this host runs with: the command's, then the configuration's, then the launch environment's.
    private static (ClusterOptions, LaunchEnvironment?) Options(HoconConfig config, IReadOnlyList<string> seeds, string? bind, int? slots)
    {
        var cluster = ClusterOptions.FromConfig(config);
        if (slots is { } n)
        {
            SettingRules.Require("tpactors.cluster.slots", n, "--slots");
            cluster = cluster with { Slots = n };
        }
        LaunchEnvironment? launch = null;
        if (seeds.Count == 0 && cluster.Seeds.Count == 0 && (launch = LaunchEnvironment.Detect(LaunchEnvironment.Current(), config.GetInt("tpactors.cluster.launch-port"))) is not null)
            cluster = launch.Apply(cluster);
        if (seeds.Count > 0) cluster = cluster with { Seeds = seeds.Select(s => NodeAddress.ParseTarget(s, "--seed").ToString()).ToList() };
        if (bind is not null) cluster = cluster with { Bind = NodeAddress.Parse(bind, "--bind").ToString() };
        return (cluster, launch);
    }

    private static async Task<int> Run(CommandContext context, ParseResult parse, HoconConfig config, ClusterOptions options, bool json, bool exitOnStdinClose,
        System.Net.IPEndPoint? pageAt, bool keepPage)
    {
        var stderr = TextWriter.Synchronized(context.Error);
        DashboardSession? page = null; // its log gets the host's lines once it is up
        ClusterHost host;
        try
        {
            host = await ClusterHost.StartAsync(config, options, line =>
            {
                stderr.WriteLine($"host: {line}");
                Volatile.Read(ref page)?.Feed.Log(line);
            });
        }
        catch (TimeoutException e)
        {
            return context.Fail(parse, ExitCodes.Failure, $"tpactors host: {e.Message}", e);
        }
        catch (ArgumentException e) // a certificate or secret file that cannot be used, found before the node starts
        {
            return context.Fail(parse, ExitCodes.Usage, $"tpactors: {e.Message}", e);
        }
        if (pageAt is not null)
        {
            try
            {
                var settings = new Dictionary<string, string>
                {
                    ["command"] = "host",
                    ["address"] = host.Address,
                    ["bulk lane"] = host.Lane,
                    ["slots"] = host.Slots.ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                Volatile.Write(ref page, await DashboardSession.StartAsync(pageAt, host.System, settings, slotsHere: null, stderr));
            }
            catch (IOException e)
            {
                await host.DisposeAsync();
                return context.Fail(parse, ExitCodes.Failure, $"tpactors host: {e.Message}", e);
            }
        }
        await using var closing = page;
        if (json) JsonOutput.WriteLine(context.Out, new { address = host.Address, lane = host.Lane, slots = host.Slots });
        else context.Out.WriteLine($"tpactors host {host.Address} is up: {host.Slots} slot{(host.Slots == 1 ? "" : "s")}, bulk lane {host.Lane}");
        context.Out.Flush();

        var leave = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; leave.TrySetResult("SIGINT"); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; leave.TrySetResult("SIGTERM"); });
        if (exitOnStdinClose)
            _ = Task.Run(async () =>
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[256];
                while (await stdin.ReadAsync(buffer) > 0) { }
                leave.TrySetResult("stdin closed");
            });

        var ended = await Task.WhenAny(leave.Task, host.System.WhenTerminated);
        if (ended != leave.Task)
        {
            stderr.WriteLine("host: this node was removed from the cluster (downed, or its seed never answered again); exiting");
            return ExitCodes.Failure;
        }
        // Jobs with ranks here move them to other hosts at their next step boundary, then give the slots back.
        var drainTimeout = config.GetDuration("tpactors.cluster.drain-timeout");
        try
        {
            await host.System.ActorSelection($"/user/{HostSlots.Name}").Ask<SlotsDrained>(DrainSlots.Instance, drainTimeout);
        }
        catch (Exception e) when (e is TimeoutException or AskTimeoutException)
        {
            stderr.WriteLine($"host: {leave.Task.Result}: jobs still hold slots here after {drainTimeout.TotalSeconds:0.###}s (tpactors.cluster.drain-timeout); their ranks are lost with this host");
        }
        stderr.WriteLine($"host: {leave.Task.Result}: leaving the cluster");
        await host.DisposeAsync();
        stderr.WriteLine("host: left; exiting");
        if (page is not null) await page.FinishAsync($"host {host.Address} left the cluster ({leave.Task.Result})", keepPage, stderr);
        return ExitCodes.Success;
    }
}
