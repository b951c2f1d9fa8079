namespace TpActors.Host.Tests;

// Each slip on the command line gets one sentence that names the option, the value and the rule: no .NET type names,
// no second error about the same token.
public sealed class UsageErrorTests
{
    [Theory]
    [InlineData(new[] { "verify", "--hidden", "abc" }, "tpactors: --hidden abc: expected a whole number.")]
    [InlineData(new[] { "train", "--steps", "1.5" }, "tpactors: --steps 1.5: expected a whole number.")]
    [InlineData(new[] { "train", "--lr", "fast" }, "tpactors: --lr fast: expected a number.")]
    [InlineData(new[] { "verify", "--bias", "maybe" }, "tpactors: --bias maybe: expected one of true, false.")]
    [InlineData(new[] { "train", "--optimizer", "adam" }, "tpactors: --optimizer adam: expected one of sgd, adamw.")]
    [InlineData(new[] { "verify", "--tp" }, "tpactors: --tp needs a value.")]
    [InlineData(new[] { "serve" }, "tpactors: 'serve' is not a tpactors command; the commands are verify, train, sample, config, bench, checkpoint, host, launch, cluster.")]
    [InlineData(new[] { "host", "--seed", "nowhere" }, "tpactors: --seed: 'nowhere' is not HOST:PORT (e.g. 127.0.0.1:4053; port 0 to 65535).")]
    [InlineData(new[] { "launch", "--", "config" }, "tpactors: launch runs one of: verify, train (after --), not 'config'.")]
    [InlineData(new string[0], "tpactors: tpactors needs a command: verify, train, sample, config, bench, checkpoint, host, launch, cluster.")]
    [InlineData(new[] { "verify", "--lr" }, "tpactors: --lr is not an option of tpactors verify.")]
    [InlineData(new[] { "train", "--check", "--check-tolerance", "Infinity" }, "tpactors: --check-tolerance Infinity: must be at least 0 (tpactors.training.check-tolerance).")]
    [InlineData(new[] { "train", "--check", "--check-tolerance", "-1" }, "tpactors: --check-tolerance -1: must be at least 0 (tpactors.training.check-tolerance).")]
    [InlineData(new[] { "verify", "--tpp", "3" }, "tpactors: --tpp is not an option of tpactors verify; did you mean --tp?")]
    [InlineData(new[] { "trian" }, "tpactors: 'trian' is not a tpactors command; did you mean 'train'? The commands are verify, train, sample, config, bench, checkpoint, host, launch, cluster.")]
    [InlineData(new[] { "train", "--checkpoint-dir", "" }, "tpactors: --checkpoint-dir \"\": a path cannot be empty; name a file or directory.")]
    [InlineData(new[] { "train", "--resume", " " }, "tpactors: --resume \" \": a path cannot be empty; name a file or directory.")]
    [InlineData(new[] { "verify", "--dump", "" }, "tpactors: --dump \"\": a path cannot be empty; name a file or directory.")]
    [InlineData(new[] { "config", "show", "--config", "" }, "tpactors: --config \"\": a path cannot be empty; name a file or directory.")]
    [InlineData(new[] { "checkpoint", "inspect", "" }, "tpactors: the argument D \"\": a path cannot be empty; name a file or directory.")]
    [InlineData(new[] { "train", "--lr", "1e-320" }, "tpactors: --lr 1e-320: too small for a float32, which would hold it as 0 (the smallest is 1.4E-45).")]
    [InlineData(new[] { "train", "--lr", "1e39" }, "tpactors: --lr 1e39: too large for a float32, which would hold it as infinity (the largest is 3.4E+38).")]
    [InlineData(new[] { "launch", "--nodes", "2", "--slots-per-node", "1", "--", "train", "--tp", "3" },
        "tpactors: launch --nodes 2 --slots-per-node 1 offers 2 rank slots; train needs 3 (its --tp). Give --nodes 3, or --slots-per-node 2.")]
    [InlineData(new[] { "launch", "--nodes", "1", "--slots-per-node", "3", "-D", "tpactors.verify.tp=4", "--", "verify" },
        "tpactors: launch --nodes 1 --slots-per-node 3 offers 3 rank slots; verify needs 4 (its --tp). Give --nodes 2, or --slots-per-node 4.")]
    [InlineData(new[] { "verify", "--cluster", "127.0.0.1:0" }, "tpactors: --cluster: '127.0.0.1:0' names port 0, which only a bind can have (the OS then picks one); give the address a `tpactors host` printed on its first line.")]
    [InlineData(new[] { "train", "--fault", "-1:5:forward" }, "tpactors: --fault '-1:5:forward': rank '-1' is not a rank (a whole number from 0).")]
    public void ASlip_GetsOneSentence(string[] args, string expected)
    {
        var result = CliRunner.Run(args);
        Assert.Equal(2, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !l.StartsWith("Run 'tpactors --help'", StringComparison.Ordinal)).ToList();
        Assert.Equal([expected], lines);
        Assert.DoesNotContain("System.", result.Error);
    }

    [Theory]
    [InlineData("tpactors.foo=1", "unknown setting 'tpactors.foo'; known keys here: config, tensors")]
    [InlineData("tpactors.trainig.lr=1", "unknown setting 'tpactors.trainig'; did you mean 'tpactors.training'?")]
    public void AnUnknownSetting_IsNeverTakenForItsParent(string define, string expected)
    {
        var result = CliRunner.Run("config", "show", "-D", define);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Error);
    }
}
