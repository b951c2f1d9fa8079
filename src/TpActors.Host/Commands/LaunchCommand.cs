using System.CommandLine;
using TpActors.Host.Cluster;

namespace TpActors.Host.Commands;

/// <summary>
/// <c>tpactors launch</c>: a one-machine launcher like <c>torchrun --standalone</c>: starts N host processes on 127.0.0.1,
/// runs a command as their driver, replaces a host that dies meanwhile (up to --max-restarts), and stops them, on every
/// path (success, failure, Ctrl-C; a killed launcher's hosts see their stdin close and leave).
/// </summary>
public static class LaunchCommand
{
    /// <summary>The commands launch can drive.</summary>
    public static readonly string[] Drivable = ["verify", "train"];

    /// <summary>Builds the command.</summary>
    public static Command Create(CommandContext context)
    {
        var options = new ConfigOptions();
        var nodes = new Option<int>("--nodes") { Description = "Host processes to start (1 to 64).", HelpName = "N", DefaultValueFactory = _ => 2 };
        var slots = new Option<int>("--slots-per-node") { Description = "Rank slots each host offers (1 to 1024).", HelpName = "K", DefaultValueFactory = _ => 2 };
        var restarts = new Option<int>("--max-restarts")
        {
            Description = "Hosts that exit during the run (killed, crashed) are replaced by new ones of the same slots, this many times in all (0 to 100), " +
                "as torchrun's --max-restarts: a job that lost ranks places them on the replacement.",
            HelpName = "N",
            DefaultValueFactory = _ => 3,
        };
        var dashboard = new DashboardOptions("the driver's page (train's or verify's: its hosts as members, Up, Unreachable, Down, Removed, and its run); the same as giving " +
            "--dashboard to the command after --");
        var job = new Argument<string[]>("command") { Description = $"After --: the command to run as the hosts' driver ({string.Join(", ", Drivable)}) with its options.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("launch",
            "Start N `tpactors host` processes on this machine (127.0.0.1, OS-chosen ports, a fresh cluster secret), wait until they are up, run " +
            "the command after -- as their driver (e.g. -- train --tp 4 --steps 20), then stop them; a host that dies meanwhile is replaced " +
            "(--max-restarts). --config and -D apply to the hosts; " +
            "the command takes its own.");
        options.AddTo(command);
        command.Options.Add(nodes);
        command.Options.Add(slots);
        command.Options.Add(restarts);
        foreach (var option in dashboard.All) command.Options.Add(option);
        command.Arguments.Add(job);
        command.SetAction(parse => context.Guard(parse, () =>
        {
            int n = parse.GetValue(nodes), k = parse.GetValue(slots);
            var words = parse.GetValue(job) ?? [];
            if (n is < 1 or > 64) return context.Fail(parse, ExitCodes.Usage, $"tpactors: --nodes {n}: must be 1 to 64.");
            if (k is < 1 or > 1024) return context.Fail(parse, ExitCodes.Usage, $"tpactors: --slots-per-node {k}: must be 1 to 1024.");
            int maxRestarts = parse.GetValue(restarts);
            if (maxRestarts is < 0 or > 100) return context.Fail(parse, ExitCodes.Usage, $"tpactors: --max-restarts {maxRestarts}: must be 0 to 100.");
            if (words.Length == 0 || !Drivable.Contains(words[0]))
                return context.Fail(parse, ExitCodes.Usage, $"tpactors: launch runs one of: {string.Join(", ", Drivable)} (after --), not '{(words.Length == 0 ? "" : words[0])}'.");
            if (words.Contains("--cluster")) return context.Fail(parse, ExitCodes.Usage, "tpactors: launch gives the command its own --cluster; drop it.");
            try
            {
                if (dashboard.Endpoint(parse) is not null)
                {
                    if (words.Any(w => w.Split('=', ':')[0] == "--dashboard")) return context.Fail(parse, ExitCodes.Usage, "tpactors: --dashboard is given to launch and to its command; give it once.");
                    words = [.. words, "--dashboard", parse.GetValue<string?>("--dashboard")!, .. dashboard.Keep(parse) ? new[] { "--dashboard-keep" } : []];
                }
            }
            catch (ArgumentException e)
            {
                return context.Fail(parse, ExitCodes.Usage, $"tpactors: {e.Message}", e);
            }
            var forwarded = ConfigOptions.Forwarded(parse);
            if (RanksOf(words, forwarded) is { } ranks && ranks > (long)n * k)
                return context.Fail(parse, ExitCodes.Usage, $"tpactors: launch --nodes {n} --slots-per-node {k} offers {n * k} rank slot{(n * k == 1 ? "" : "s")}; " +
                    $"{words[0]} needs {ranks} (its --tp). Give --nodes {(ranks + k - 1) / k}, or --slots-per-node {(ranks + n - 1) / n}.");
            return Run(context, n, k, maxRestarts, forwarded, words).GetAwaiter().GetResult();
        }));
        return command;
    }

    // The ranks the job will ask for: its --tp, else its configuration's (launch's --config and -D, then its own); null
    // when its command line does not parse or its configuration does not load: the job itself then says what is wrong.
    private static int? RanksOf(string[] words, List<string> configArgs)
    {
        var job = TpActorsCli.Parse([words[0], .. configArgs, .. words[1..]]);
        if (job.Errors.Count > 0) return null;
        if (job.GetValue<int?>("--tp") is { } tp) return tp;
        try
        {
            var config = Runtime.Configuration.ConfigLoader.Load(job.GetValue<string?>("--config"), job.GetValue<string[]>("--define") ?? []).Config;
            return config.GetInt(words[0] == "train" ? "tpactors.training.tp" : "tpactors.verify.tp");
        }
        catch (Exception e) when (e is Runtime.Configuration.ConfigException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static async Task<int> Run(CommandContext context, int nodes, int slots, int maxRestarts, List<string> configArgs, string[] words)
    {
        await using var hosts = await HostProcesses.StartAsync(nodes, slots, configArgs, context.Error, TimeSpan.FromSeconds(60), maxRestarts);
        context.Error.WriteLine($"launch: {nodes} host{(nodes == 1 ? "" : "s")} up ({string.Join(", ", hosts.Addresses)}); running: tpactors {string.Join(' ', words)}");
        string? previous = Environment.GetEnvironmentVariable(HostProcesses.SecretVariable);
        Environment.SetEnvironmentVariable(HostProcesses.SecretVariable, hosts.Secret); // the driver's configuration reads it
        try
        {
            // The launch's own --config and -D reach the job as they reach the hosts (its TLS certificate, say); the job's
            // own options, after them, win.
            return TpActorsCli.Run([words[0], "--cluster", hosts.Addresses[0], .. configArgs, .. words[1..]], context.Out, context.Error);
        }
        finally
        {
            Environment.SetEnvironmentVariable(HostProcesses.SecretVariable, previous);
        }
    }
}
