using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Tests.Configuration;

/// <summary>reference.conf &lt;- --config FILE &lt;- -D overrides, and the checks of the tpactors section against reference.conf.</summary>
public sealed class ConfigLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Reference_IsEmbedded_AndEveryDefaultReadsAsItsType()
    {
        var reference = ConfigFactory.Reference;
        Assert.True(reference.GetBoolean("tpactors.config.environment-fallback"));
        Assert.Equal("error", reference.GetString("tpactors.config.unknown-keys"));
        Assert.Equal(4L * 1024 * 1024, reference.GetBytes("tpactors.config.max-file-size"));
        Assert.Equal("reference.conf", reference.GetOrigin("tpactors.config.unknown-keys").Source);
    }

    [Fact]
    public void Load_LaterLayersWin_OverridesOverFileOverReference()
    {
        var file = _dir.Write("user.conf", "tpactors.config.unknown-keys = warn\napp { name = mine, port = 1 }");
        var loaded = ConfigLoader.Load(file, ["app.port=2", "app.port=3", "app.list=[1, 2]", "app.flag=true"]);
        var c = loaded.Config;
        Assert.Equal("warn", c.GetString("tpactors.config.unknown-keys"));
        Assert.Equal("mine", c.GetString("app.name"));
        Assert.Equal(3, c.GetInt("app.port"));
        Assert.Equal(["1", "2"], c.GetStringList("app.list"));
        Assert.True(c.GetBoolean("app.flag"));
        Assert.Equal(new ConfigOrigin("-D[2]", 1, 10), c.GetOrigin("app.port"));
        Assert.True(c.GetBoolean("tpactors.config.environment-fallback"));
    }

    [Theory]
    [InlineData("url=http://host:80/x", "url", "http://host:80/x")]
    [InlineData("a.b=two words", "a.b", "two words")]
    [InlineData("x=b:c", "x", "b:c")]
    [InlineData("\"dotted.key\"=1", "\"dotted.key\"", "1")]
    [InlineData("q=\"quoted # hash\"", "q", "quoted # hash")]
    [InlineData("e=", "e", "")]
    public void Overrides_ReadHoconValues_OrPlainText(string define, string path, string expected) =>
        Assert.Equal(expected, ConfigLoader.Load(null, [define]).Config.GetString(path));

    [Theory]
    [InlineData("novalue", "-D[1]:1:1: expected path=value")]
    [InlineData("a..b=1", "-D[1]:1:1: path has an empty key")]
    [InlineData("a=[1, 2", "-D[1]:1:8: expected ']'")]
    public void Overrides_Malformed_NameTheOverrideAndColumn(string define, string expected)
    {
        var error = Assert.ThrowsAny<ConfigException>(() => ConfigLoader.Load(null, [define]));
        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public void Overrides_MayReferToTheFile()
    {
        var file = _dir.Write("u.conf", "base = 10");
        Assert.Equal("10-x", ConfigLoader.Load(file, ["derived=${base}-x"]).Config.GetString("derived"));
    }

    [Fact]
    public void UnknownKey_IsRefused_WithTheClosestKnownKeyAndItsPosition()
    {
        var file = _dir.Write("typo.conf", "tpactors {\n  config {\n    enviroment-fallback = off\n  }\n}");
        var error = Assert.ThrowsAny<ConfigException>(() => ConfigLoader.Load(file));
        Assert.EndsWith("typo.conf", error.Origin!.Source);
        Assert.Equal((3, 27), (error.Origin.Line, error.Origin.Column));
        Assert.Contains("unknown setting 'tpactors.config.enviroment-fallback'; did you mean 'tpactors.config.environment-fallback'?", error.Message);
    }

    [Fact]
    public void UnknownKey_FarFromAnyKnownKey_ListsTheKnownKeysThere()
    {
        var error = Assert.ThrowsAny<ConfigException>(() => ConfigLoader.Load(null, ["tpactors.config.zzzzzzzzzzzzzzzzzz=1"]));
        Assert.Contains("known keys here: environment-fallback, unknown-keys, max-file-size", error.Message);
    }

    [Fact]
    public void UnknownKey_WithWarnPolicy_IsAWarningOnly()
    {
        var loaded = ConfigLoader.Load(null, ["tpactors.config.unknown-keys=warn", "tpactors.extra=1"]);
        var warning = Assert.Single(loaded.Warnings);
        Assert.Contains("unknown setting 'tpactors.extra'", warning);
        Assert.Equal(1, loaded.Config.GetInt("tpactors.extra"));
    }

    [Fact]
    public void KeysOutsideTheNamespace_AreNotChecked() =>
        Assert.Equal(1, ConfigLoader.Load(null, ["anything.at.all=1"]).Config.GetInt("anything.at.all"));

    [Theory]
    [InlineData("tpactors.config.environment-fallback=maybe", "'tpactors.config.environment-fallback' must be a boolean", "string \"maybe\"")]
    [InlineData("tpactors.config.max-file-size=12 parsecs", "'tpactors.config.max-file-size' must be a size in bytes", "'parsecs' is not a size unit")]
    [InlineData("tpactors.config.max-file-size=[1]", "must be a size in bytes", "a list of 1")]
    [InlineData("tpactors.config=5", "'tpactors.config' must be an object", "number 5")]
    [InlineData("tpactors.config.unknown-keys=sometimes", "'tpactors.config.unknown-keys' must be one of error or warn", "'sometimes'")]
    public void WrongTypeOrUnit_ForASetting_IsRefusedWithPathExpectationAndValue(string define, string expected, string found)
    {
        var error = Assert.ThrowsAny<ConfigException>(() => ConfigLoader.Load(null, [define]));
        Assert.StartsWith("-D[1]:1:", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Contains(found, error.Message);
    }

    [Fact]
    public void WrongTypes_InAFile_AreAllReportedTogether()
    {
        var file = _dir.Write("many.conf", "tpactors.config {\n  environment-fallback = 3\n  max-file-size = lots\n  unknwn-keys = warn\n}");
        var error = Assert.Throws<ConfigValidationException>(() => ConfigLoader.Load(file));
        Assert.Equal(3, error.Problems.Count);
        Assert.Equal([2, 3, 4], error.Problems.Select(p => p.Origin!.Line));
    }

    [Fact]
    public void MaxFileSize_RefusesLargerFiles_AndOnlyTheCommandLineCanRaiseIt()
    {
        var file = _dir.Write("big.conf", "a = \"" + new string('x', 2000) + "\"");
        var error = Assert.ThrowsAny<ConfigException>(() => ConfigLoader.Load(file, ["tpactors.config.max-file-size=1 KiB"]));
        Assert.Contains("larger than tpactors.config.max-file-size (1 KiB)", error.Message);
        Assert.Equal(2000, ConfigLoader.Load(file, ["tpactors.config.max-file-size=1 MiB"]).Config.GetString("a").Length);
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/urandom")]
    public void MaxFileSize_BoundsWhatIsReadFromADevice(string device)
    {
        foreach (var include in new[] { $"include \"{device}\"", $"include file(\"{device}\")", $"include required(file(\"{device}\"))" })
        {
            var file = _dir.Write("device.conf", "a = 1\n" + include + "\n");
            var error = Assert.ThrowsAny<ConfigException>(() => ConfigLoader.Load(file, ["tpactors.config.max-file-size=64 KiB"]));
            Assert.Contains($"device.conf:2:1: '{device}' yields more bytes than tpactors.config.max-file-size (64 KiB)", error.Message);
        }
        var direct = Assert.ThrowsAny<ConfigException>(() => ConfigLoader.Load(device));
        Assert.Contains($"'{device}' yields more bytes than tpactors.config.max-file-size (4 MiB)", direct.Message);
    }

    [Fact]
    public void MaxFileSize_IsHeldToItsRule_BeforeAnyFileIsRead()
    {
        var error = Assert.ThrowsAny<ConfigException>(() => ConfigLoader.Load("/dev/zero", ["tpactors.config.max-file-size=1TiB"]));
        Assert.Equal("-D[1]:1:31: 'tpactors.config.max-file-size' must be 1 B to 1 GiB, but is 1 TiB", error.Message);
    }

    [Fact]
    public async Task APipe_IsReadAsAFile_WithinMaxFileSize()
    {
        var fifo = _dir.File("settings.fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", fifo))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        var writer = Task.Run(() => File.WriteAllText(fifo, "tpactors.training.tp = 3\n")); // as --config <(…) hands over a pipe
        Assert.Equal(3, ConfigLoader.Load(fifo).Config.GetInt("tpactors.training.tp"));
        await writer;
    }

    [Fact]
    public void EnvironmentFallback_Off_IgnoresTheEnvironment()
    {
        const string name = "TPACTORS_TEST_LOADER_ENV";
        Environment.SetEnvironmentVariable(name, "set");
        try
        {
            var file = _dir.Write("env.conf", $"v = ${{?{name}}}");
            Assert.Equal("set", ConfigLoader.Load(file).Config.GetString("v"));
            Assert.False(ConfigLoader.Load(file, ["tpactors.config.environment-fallback=off"]).Config.HasPath("v"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void MissingConfigFile_IsAClearError()
    {
        var error = Assert.ThrowsAny<ConfigException>(() => ConfigLoader.Load(Path.Combine(_dir.Path, "nope.conf")));
        Assert.Contains("not found", error.Message);
    }

    [Fact]
    public void FileAndOverrides_HoldOnlyWhatTheUserSet()
    {
        var file = _dir.Write("u.conf", "mine = 1");
        var loaded = ConfigLoader.Load(file, ["tpactors.config.unknown-keys=warn"]);
        var shown = loaded.Config.WithOnlyPathsOf(loaded.FileAndOverrides);
        Assert.True(shown.HasPath("mine"));
        Assert.True(shown.HasPath("tpactors.config.unknown-keys"));
        Assert.False(shown.HasPath("tpactors.config.max-file-size"));
    }

    [Fact]
    public void Validator_HoldsEachSettingToTheRuleBesideItsDefault()
    {
        const string text = "ns {\n  # Valid: more than 0s.\n  timeout = 5s\n  # How many.\n  # Valid: 1 to 8.\n  count = 3\n  # Valid: fast or slow.\n  mode = fast\n" +
            "  # Valid: 4 B to 1 GiB.\n  chunk = 64 KiB\n  free = 1\n}";
        var reference = ConfigFactory.ParseString(text, "ref.conf");
        var rules = SettingRules.Read(text, reference.Root, "ref.conf");
        Assert.Equal(["ns.chunk", "ns.count", "ns.mode", "ns.timeout"], rules.All.Keys.Order());
        Assert.Empty(ConfigValidator.Check(ConfigFactory.ParseString("ns { timeout = 1ms, count = 8, mode = slow, chunk = 4, free = -7 }").WithFallback(reference), reference, rules, "ns"));

        var bad = ConfigFactory.ParseString("ns {\n timeout = 0s\n count = 9\n mode = medium\n chunk = 0 }", "bad.conf").WithFallback(reference);
        var problems = ConfigValidator.Check(bad, reference, rules, "ns").Select(p => p.Error.Message).ToList();
        Assert.Equal([
            "bad.conf:2:12: 'ns.timeout' must be more than 0s, but is 0s",
            "bad.conf:3:10: 'ns.count' must be 1 to 8, but is 9",
            "bad.conf:4:9: 'ns.mode' must be one of fast or slow, but is 'medium'",
            "bad.conf:5:10: 'ns.chunk' must be 4 B to 1 GiB, but is 0 B",
        ], problems);
    }

    [Theory]
    [InlineData("tpactors.training.phase-timeout=0s", "'tpactors.training.phase-timeout' must be more than 0s, but is 0s")]
    [InlineData("tpactors.ranks.command-timeout=-5s", "'tpactors.ranks.command-timeout' must be more than 0s, but is -5s")]
    [InlineData("tpactors.collectives.chunk-size=0", "'tpactors.collectives.chunk-size' must be 4 B to 1 GiB, but is 0 B")]
    [InlineData("tpactors.tensors.backend=cuda", "'tpactors.tensors.backend' must be one of auto, openblas or managed, but is 'cuda'")]
    [InlineData("tpactors.verify.tolerance=0", "'tpactors.verify.tolerance' must be more than 0, but is 0")]
    [InlineData("tpactors.config.unknown-keys=maybe", "'tpactors.config.unknown-keys' must be one of error or warn, but is 'maybe'")]
    public void ReferenceRules_RefuseOutOfRangeValues_WithTheirOrigin(string define, string expected)
    {
        var error = Assert.ThrowsAny<ConfigException>(() => ConfigLoader.Load(null, [define]));
        Assert.Equal($"-D[1]:1:{define.IndexOf('=') + 2}: {expected}", error.Message);
    }

    [Fact]
    public void EveryRuleInReferenceConf_HoldsForItsOwnDefault()
    {
        Assert.True(SettingRules.Reference.All.Count > 50, "reference.conf states a rule beside most settings");
        ConfigLoader.Check(ConfigFactory.Reference); // throws if a default breaks its own rule
    }

    [Fact]
    public void Validator_InfersDurationAndNumberTypesFromDefaults()
    {
        var reference = ConfigFactory.ParseString("ns { timeout = 5s, ratio = 0.5, count = 3, names = [a], open {} }", "ref.conf");
        var good = ConfigFactory.ParseString("ns { timeout = 250ms, ratio = 1, count = \"4\", names = [b, c], open { anything = 1 } }").WithFallback(reference);
        Assert.Empty(ConfigValidator.Check(good, reference, SettingRules.None, "ns"));

        var bad = ConfigFactory.ParseString("ns { timeout = 5 parsecs, ratio = x, count = 1.5, names = y }", "bad.conf").WithFallback(reference);
        var problems = ConfigValidator.Check(bad, reference, SettingRules.None, "ns");
        Assert.Equal(["ns.timeout", "ns.ratio", "ns.count", "ns.names"], problems.Select(p => ((ConfigTypeException)p.Error).Path));
    }
}
