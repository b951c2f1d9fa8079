namespace TpActors.Host.Tests.Commands;

/// <summary>A rank that cannot start (its backend does not load) ends a command at once with the cause, in one line.</summary>
public sealed class RankStartFailureTests
{
    // tpactors where libopenblas.so.0 does not load: /dev/null is bind-mounted over the library in a private mount namespace
    // (where OpenBLAS is not installed at all, nothing needs hiding).
    private static CliRunner.Result WithoutOpenBlas(params string[] args) => CliProcess.InMountNamespace(
        "lib=$(ldconfig -p | sed -n 's/.*libopenblas\\.so\\.0 .*=> //p' | head -n 1); " +
        "{ [ -z \"$lib\" ] || mount --bind /dev/null \"$(readlink -f \"$lib\")\"; }", args);

    [MountFact]
    public void Verify_WithOpenBlasAskedForAndAbsent_SaysWhyTheGroupCouldNotForm()
    {
        var r = WithoutOpenBlas("verify", "-D", "tpactors.tensors.backend=openblas");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.StartsWith("tpactors verify: Group 'verify-1' could not form: The OpenBLAS backend was asked for, but libopenblas.so.0", r.Error);
        Assert.Single(r.Error.TrimEnd().Split('\n'));
    }

    [MountFact]
    public void Train_WithOpenBlasAskedForAndAbsent_StopsAtOnce_NamingTheRankAndTheCause()
    {
        var r = WithoutOpenBlas("train", "--tp", "2", "--steps", "3", "-D", "tpactors.tensors.backend=openblas");
        Assert.Equal(1, r.ExitCode);
        Assert.Matches(@"^tpactors train: Training stopped at step 0 connect \(attempt 0\): rank [01] could not start: The OpenBLAS backend was asked for", r.Error);
        Assert.DoesNotContain("recovering", r.Error); // not retried: it would fail the same way every time
    }

    [MountFact]
    public void Bench_WithOpenBlasAskedForAndAbsent_IsAFailure_NotAnInternalError()
    {
        var r = WithoutOpenBlas("bench", "collectives", "--sizes", "4096", "-D", "tpactors.tensors.backend=openblas");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("tpactors bench collectives: Group 'bench' could not form: The OpenBLAS backend was asked for", r.Error);
        Assert.DoesNotContain("internal error", r.Error);
    }
}
