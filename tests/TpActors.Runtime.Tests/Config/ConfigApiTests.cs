using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Tests.Configuration;

/// <summary>The typed getters of <see cref="HoconConfig"/> and HOCON's automatic conversions.</summary>
public class ConfigApiTests
{
    private static HoconConfig Parse(string text) => ConfigFactory.ParseString(text, "api.conf");

    [Fact]
    public void GetString_ConvertsNumbersAndBooleans_ButNotNullListsOrObjects()
    {
        var c = Parse("s = text\nn = 1.50\nb = true\nz = null\nl = [1]\no { x = 1 }");
        Assert.Equal(("text", "1.50", "true"), (c.GetString("s"), c.GetString("n"), c.GetString("b")));
        foreach (var path in new[] { "z", "l", "o" })
            Assert.Throws<ConfigTypeException>(() => c.GetString(path));
    }

    [Fact]
    public void NumberGetters_ReadNumbersAndNumericStrings()
    {
        var c = Parse("i = 42\nl = 9000000000\nd = 2.5\nsi = \"17\"\nsd = \" 0.25 \"\nneg = -3");
        Assert.Equal(42, c.GetInt("i"));
        Assert.Equal(9_000_000_000L, c.GetLong("l"));
        Assert.Equal(2.5, c.GetDouble("d"));
        Assert.Equal(17, c.GetInt("si"));
        Assert.Equal(0.25, c.GetDouble("sd"));
        Assert.Equal(-3, c.GetInt("neg"));
        Assert.Equal(42.0, c.GetDouble("i"));
    }

    [Theory]
    [InlineData("v = 9000000000", "fit in 32 bits")]
    [InlineData("v = 1.5", "fractional")]
    [InlineData("v = abc", "a whole number")]
    public void GetInt_OutOfRangeOrNotWhole_IsATypeError(string text, string expectedFragment)
    {
        var e = Assert.Throws<ConfigTypeException>(() => Parse(text).GetInt("v"));
        Assert.Contains(expectedFragment, e.Message);
    }

    [Theory]
    [InlineData("true", true)] [InlineData("yes", true)] [InlineData("on", true)] [InlineData("\"true\"", true)]
    [InlineData("false", false)] [InlineData("no", false)] [InlineData("off", false)]
    public void GetBoolean_AcceptsTheSixSpellings(string written, bool expected) =>
        Assert.Equal(expected, Parse($"v = {written}").GetBoolean("v"));

    [Theory]
    [InlineData("1", 1.0)]
    [InlineData("250", 250.0)]
    [InlineData("\"250\"", 250.0)]
    [InlineData("250ms", 250.0)]
    [InlineData("1.5 s", 1500.0)]
    [InlineData("2 seconds", 2000.0)]
    [InlineData("3m", 180_000.0)]
    [InlineData("2 minutes", 120_000.0)]
    [InlineData("1h", 3_600_000.0)]
    [InlineData("1 d", 86_400_000.0)]
    [InlineData("2 days", 172_800_000.0)]
    [InlineData("5000us", 5.0)]
    [InlineData("3000000ns", 3.0)]
    [InlineData("7 millis", 7.0)]
    public void GetDuration_NumberIsMilliseconds_TextIsNumberAndUnit(string written, double expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Parse($"v = {written}").GetDuration("v"));

    [Theory]
    [InlineData("10 parsecs", "'parsecs' is not a duration unit")]
    [InlineData("10S", "'S' is not a duration unit")]
    [InlineData("fast", "does not start with a number")]
    [InlineData("[1]", "a duration")]
    public void GetDuration_UnknownUnit_NamesTheUnitAndTheAcceptedOnes(string written, string fragment)
    {
        var e = Assert.Throws<ConfigTypeException>(() => Parse($"v = {written}").GetDuration("v"));
        Assert.Contains(fragment, e.Message);
        Assert.Equal("v", e.Path);
    }

    [Theory]
    [InlineData("128000", 128_000L)]
    [InlineData("128000b", 128_000L)]
    [InlineData("10 bytes", 10L)]
    [InlineData("1kB", 1_000L)]
    [InlineData("1 kilobyte", 1_000L)]
    [InlineData("2MB", 2_000_000L)]
    [InlineData("1GB", 1_000_000_000L)]
    [InlineData("1K", 1024L)]
    [InlineData("1k", 1024L)]
    [InlineData("1KiB", 1024L)]
    [InlineData("1 kibibytes", 1024L)]
    [InlineData("64 MiB", 64L * 1024 * 1024)]
    [InlineData("1m", 1024L * 1024)]
    [InlineData("1.5 GiB", 1536L * 1024 * 1024)]
    [InlineData("2 TiB", 2L << 40)]
    [InlineData("1 PiB", 1L << 50)]
    public void GetBytes_PowersOfTenAndTwo(string written, long expected) =>
        Assert.Equal(expected, Parse($"v = {written}").GetBytes("v"));

    [Theory]
    [InlineData("1 KB", "'KB' is not a size unit")]
    [InlineData("-5 MiB", "negative")]
    [InlineData("99999 EiB", "64 bits")]
    public void GetBytes_BadUnitOrRange_IsATypeError(string written, string fragment)
    {
        var e = Assert.Throws<ConfigTypeException>(() => Parse($"v = {written}").GetBytes("v"));
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void TypeError_NamesPathExpectedTypeValueFoundAndWhereItWasSet()
    {
        var c = Parse("section {\n  timeout = soon\n}");
        var e = Assert.Throws<ConfigTypeException>(() => c.GetDuration("section.timeout"));
        Assert.Equal("section.timeout", e.Path);
        Assert.Equal("string \"soon\"", e.Found);
        Assert.Equal(new ConfigOrigin("api.conf", 2, 13), e.Origin);
        Assert.StartsWith("api.conf:2:13: 'section.timeout' must be a duration", e.Message);
    }

    [Fact]
    public void GetConfig_ReturnsTheSubtree_ResolvedAgainstTheWholeTree()
    {
        var c = Parse("base = 7\nsub { a = ${base}, b { c = 1 } }");
        var sub = c.GetConfig("sub");
        Assert.Equal(7, sub.GetInt("a"));
        Assert.Equal(1, sub.GetInt("b.c"));
        Assert.Throws<ConfigTypeException>(() => c.GetConfig("base"));
    }

    [Fact]
    public void GetStringList_ReadsListsAndNumericallyIndexedObjects()
    {
        var c = Parse("l = [a, 1, true]\no { \"1\" = second, \"0\" = first, \"10\" = third, name = ignored }\nnone { x = 1 }");
        Assert.Equal(["a", "1", "true"], c.GetStringList("l"));
        Assert.Equal(["first", "second", "third"], c.GetStringList("o"));
        Assert.Throws<ConfigTypeException>(() => c.GetStringList("none"));
        var e = Assert.Throws<ConfigTypeException>(() => Parse("l = [a, [b]]").GetStringList("l"));
        Assert.Equal("l[1]", e.Path);
    }

    [Fact]
    public void HasPath_IsFalseForMissingNullAndPathsThroughNonObjects()
    {
        var c = Parse("a { b = 1 }\nn = null\ns = text");
        Assert.True(c.HasPath("a"));
        Assert.True(c.HasPath("a.b"));
        Assert.False(c.HasPath("a.c"));
        Assert.False(c.HasPath("n"));
        Assert.False(c.HasPath("s.x"));
    }

    [Fact]
    public void MissingPath_IsAMissingError_AndPathThroughAValue_IsATypeError()
    {
        var c = Parse("a { b = 1 }\ns = text");
        Assert.Equal("a.x", Assert.Throws<ConfigMissingException>(() => c.GetInt("a.x")).Path);
        var e = Assert.Throws<ConfigTypeException>(() => c.GetInt("s.x"));
        Assert.Equal("s", e.Path);
    }

    [Fact]
    public void WithFallback_ThisWins_ObjectsMerge()
    {
        var user = Parse("a { x = 1 }\nb = user");
        var defaults = Parse("a { x = 0, y = 2 }\nb = default\nc = 3");
        var merged = user.WithFallback(defaults);
        Assert.Equal((1, 2, "user", 3), (merged.GetInt("a.x"), merged.GetInt("a.y"), merged.GetString("b"), merged.GetInt("c")));
        Assert.Equal("api.conf", merged.GetOrigin("a.x").Source);
    }

    [Fact]
    public void Paths_MayQuoteKeysWithDots()
    {
        var c = Parse("a { \"b.c\" = 1 }");
        Assert.Equal(1, c.GetInt("a.\"b.c\""));
    }

    [Fact]
    public void Resolve_ReportsProblemsAtOnce_WhileParsingAloneDoesNot()
    {
        var unresolved = ConfigFactory.ParseString("a = ${missing}");
        Assert.False(unresolved.IsResolved);
        Assert.Throws<ConfigResolveException>(() => unresolved.Resolve());
        Assert.True(ConfigFactory.ParseString("a = 1").IsResolved);
    }
}
