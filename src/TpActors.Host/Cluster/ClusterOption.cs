using System.CommandLine;

namespace TpActors.Host.Cluster;

/// <summary>The <c>--cluster HOST:PORT</c> option of the commands that can run their job on a cluster's hosts.</summary>
public static class ClusterOption
{
    /// <summary>A new instance of the option.</summary>
    public static Option<string?> Create() => new("--cluster")
    {
        Description = "Run the ranks on a TpActors cluster's hosts: join it through this member (a `tpactors host`'s first line) as the driver, " +
            "lease slots (waiting up to tpactors.cluster.slot-wait), and place the ranks in address order.",
        HelpName = "HOST:PORT",
    };
}
