using System.CommandLine;
using TpActors.Runtime.Cluster;

namespace TpActors.Host.Commands;

/// <summary><c>tpactors cluster new-cert DIR</c>: a self-signed certificate for a test cluster's TLS.</summary>
public static class ClusterCommand
{
    /// <summary>Builds the <c>cluster</c> command and its subcommands.</summary>
    public static Command Create(CommandContext context)
    {
        var cluster = new Command("cluster", "Set up a TpActors cluster.");
        cluster.Subcommands.Add(CreateNewCert(context));
        return cluster;
    }

    private static Command CreateNewCert(CommandContext context)
    {
        var directory = new Argument<string>("DIR") { Description = "Where to write cluster.pfx (certificate and private key, owner-only) and cluster.crt (its public half)." }.Path();
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout." };
        var command = new Command("new-cert",
            "Write a new self-signed certificate for a cluster's TLS. Give every node of the cluster the same file " +
            "(-D tpactors.cluster.tls.certificate=DIR/cluster.pfx): nodes accept only peers presenting it. An existing one is never overwritten.");
        command.Arguments.Add(directory);
        command.Options.Add(json);
        command.SetAction(parse => context.Guard(parse, () =>
        {
            string dir = Path.GetFullPath(parse.GetValue(directory)!);
            string thumbprint;
            try
            {
                thumbprint = ClusterTls.NewCertificate(dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return context.Fail(parse, ExitCodes.Failure, $"tpactors cluster new-cert: {e.Message}", e);
            }
            string certificate = Path.Combine(dir, ClusterTls.CertificateFile);
            if (parse.GetValue(json))
                JsonOutput.WriteLine(context.Out, new { certificate, public_certificate = Path.Combine(dir, ClusterTls.PublicFile), thumbprint });
            else
            {
                context.Out.WriteLine($"wrote {certificate} (certificate and private key, readable by its owner only) and {Path.Combine(dir, ClusterTls.PublicFile)}");
                context.Out.WriteLine($"thumbprint {thumbprint}");
                context.Out.WriteLine($"give every node: -D tpactors.cluster.tls.certificate={certificate}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
