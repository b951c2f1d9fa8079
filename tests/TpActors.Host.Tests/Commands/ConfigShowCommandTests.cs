using System.Text.Json;
using TpActors.Runtime.Configuration;

namespace TpActors.Host.Tests.Commands;

/// <summary><c>tpactors config show</c> as a user runs it: what it prints and the exit code.</summary>
public sealed class ConfigShowCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> EquivalenceFiles() => [.. HoconCorpus.EquivalenceFiles()];

    [Fact]
    public void Show_WithNoOptions_PrintsTheDefaultsAsHoconThatParsesBack()
    {
        var r = CliRunner.Run("config", "show");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Error);
        var printed = ConfigFactory.ParseString(r.Out);
        Assert.Equal(ConfigFactory.Reference.GetBytes("tpactors.config.max-file-size"), printed.GetBytes("tpactors.config.max-file-size"));
        Assert.Equal(ConfigFactory.Reference.ToHocon(), printed.ToHocon());
    }

    [Fact]
    public void Show_Json_PrintsOneJsonObjectWithSortedKeys()
    {
        var file = _dir.Write("u.conf", "zeta = 1\nalpha { y = [1, \"two\", null], x = true }\nmid = 2.5");
        var r = CliRunner.Run("config", "show", "--json", "--config", file);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        AssertSorted(doc.RootElement);
        Assert.Equal(2.5, doc.RootElement.GetProperty("mid").GetDouble());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("alpha").GetProperty("y")[2].ValueKind);
        Assert.True(doc.RootElement.GetProperty("tpactors").GetProperty("config").GetProperty("environment-fallback").GetBoolean());
    }

    [Fact]
    public void Show_Origin_FollowsEachValueWithFileAndLine()
    {
        var file = _dir.Write("o.conf", "a = 1\n\nb = [x]");
        var r = CliRunner.Run("config", "show", "--origin", "--config", file, "-D", "c=3");
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"a = 1  # .*o\.conf:1\n", r.Out);
        Assert.Matches(@"b = \[""x""\]  # .*o\.conf:3\n", r.Out);
        Assert.Contains("c = 3  # -D[1]:1", r.Out);
        Assert.Matches(@"unknown-keys = ""error""  # reference\.conf:\d+", r.Out);
    }

    [Fact]
    public void Show_Overrides_WinOverTheFile_InBothSpellings()
    {
        var file = _dir.Write("d.conf", "a = file\nb = file");
        var r = CliRunner.Run("config", "show", "--json", "--no-reference", "--config", file, "-D", "a=spaced", "-Db=joined", "--define", "c=long");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("spaced", doc.RootElement.GetProperty("a").GetString());
        Assert.Equal("joined", doc.RootElement.GetProperty("b").GetString());
        Assert.Equal("long", doc.RootElement.GetProperty("c").GetString());
        Assert.False(doc.RootElement.TryGetProperty("tpactors", out _), "--no-reference leaves out what only reference.conf sets");
    }

    [CorpusTheory]
    [MemberData(nameof(EquivalenceFiles))]
    public void Show_JsonOfAnEquivalenceFile_IsItsOriginalJson(string file)
    {
        var path = HoconCorpus.Lightbend(file);
        var r = CliRunner.Run("config", "show", "--json", "--no-reference", "--config", path);
        Assert.True(r.ExitCode == 0, r.Error);
        using var printed = JsonDocument.Parse(r.Out);
        using var original = JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(path)!, "original.json")));
        Assert.True(JsonElement.DeepEquals(original.RootElement, printed.RootElement), $"{file} printed:\n{r.Out}");
    }

    [Theory]
    [InlineData("unbalanced.conf", "a {\n  b = 1\n", @"unbalanced\.conf:3:1: expected '}' to close the object opened at 1:3")]
    [InlineData("cycle.conf", "a = ${b}\nb = ${a}", @"cycle\.conf:2:5: cycle in substitutions")]
    [InlineData("missing.conf", "x = 1\ninclude required(\"nowhere.conf\")", @"missing\.conf:2:1: required include 'nowhere.conf' not found")]
    [InlineData("type.conf", "tpactors.config.max-file-size = 12 parsecs", @"type\.conf:1:33: 'tpactors.config.max-file-size' must be a size in bytes")]
    [InlineData("bool.conf", "tpactors.config.environment-fallback = maybe", @"bool\.conf:1:40: 'tpactors.config.environment-fallback' must be a boolean")]
    [InlineData("typo.conf", "tpactors.config.unknown-key = warn", @"typo\.conf:1:31: unknown setting 'tpactors.config.unknown-key'; did you mean 'tpactors.config.unknown-keys'\?")]
    public void Show_BadConfig_ExitsOneWithFileLineColumnAndNoStackTrace(string name, string text, string expectedPattern)
    {
        var file = _dir.Write(name, text);
        var r = CliRunner.Run("config", "show", "--config", file);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Matches(expectedPattern, r.Error);
        Assert.DoesNotContain("   at ", r.Error);
    }

    [Fact]
    public void Show_Verbose_AddsTheStackTrace()
    {
        var file = _dir.Write("bad.conf", "a = {");
        var r = CliRunner.Run("config", "show", "--config", file, "--verbose");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("   at ", r.Error);
    }

    [Fact]
    public void Show_MissingFile_ExitsOne()
    {
        var r = CliRunner.Run("config", "show", "--config", Path.Combine(_dir.Path, "absent.conf"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not found", r.Error);
    }

    [Fact]
    public void Show_UnknownKeysWarn_PrintsWarningsButSucceeds()
    {
        var r = CliRunner.Run("config", "show", "-D", "tpactors.config.unknown-keys=warn", "-D", "tpactors.bogus=1");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("warning: -D[2]:1:", r.Error);
        Assert.Contains("unknown setting 'tpactors.bogus'", r.Error);
    }

    [Theory]
    [InlineData("nonsense")]
    [InlineData("config")]
    [InlineData("config", "show", "--no-such-option")]
    [InlineData("config", "show", "--config")]
    [InlineData("config", "show", "--json", "--origin")]
    public void UsageErrors_ExitTwo(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(2, r.ExitCode);
        Assert.NotEqual("", r.Error);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("config", "--help")]
    [InlineData("config", "show", "--help")]
    public void Help_IsAvailableOnEveryCommand(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage:", r.Out);
    }

    [Fact]
    public void Help_OfConfigShow_DocumentsEveryOption()
    {
        var r = CliRunner.Run("config", "show", "--help");
        foreach (var option in new[] { "--config", "-D", "--define", "--json", "--origin", "--no-reference", "--verbose" })
            Assert.Contains(option, r.Out);
    }

    private static void AssertSorted(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var names = element.EnumerateObject().Select(p => p.Name).ToList();
            Assert.Equal(names.Order(StringComparer.Ordinal), names);
            foreach (var p in element.EnumerateObject()) AssertSorted(p.Value);
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray()) AssertSorted(item);
        }
    }

    [Theory]
    [InlineData("tpactors.training.phase-timeout=0s", "-D[1]:1:33: 'tpactors.training.phase-timeout' must be more than 0s, but is 0s")]
    [InlineData("tpactors.collectives.chunk-size=0", "-D[1]:1:33: 'tpactors.collectives.chunk-size' must be 4 B to 1 GiB, but is 0 B")]
    [InlineData("tpactors.ranks.command-timeout=-5s", "-D[1]:1:32: 'tpactors.ranks.command-timeout' must be more than 0s, but is -5s")]
    public void ConfigShow_RunsTheValidator_OnEveryRange(string define, string expected)
    {
        var result = CliRunner.Run("config", "show", "-D", define);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(expected, result.Error.Trim());
        Assert.Equal(1, CliRunner.Run("verify", "-D", define).ExitCode); // every command reads the configuration the same way
    }

    [Fact]
    public void Help_StatesEachLimitAndDefault_FromReferenceConf()
    {
        Assert.Contains("Ranks in the tensor-parallel group: 1 to 64 (default 2, tpactors.training.tp).", CliRunner.Run("train", "--help").Out);
        Assert.Contains("Ranks in the tensor-parallel group: 1 to 16 (default 4, tpactors.verify.tp).", CliRunner.Run("verify", "--help").Out);
        var tooMany = CliRunner.Run("train", "--tp", "65");
        Assert.Equal(2, tooMany.ExitCode);
        Assert.Contains("--tp 65: must be 1 to 64 (tpactors.training.tp).", tooMany.Error);
    }
}
