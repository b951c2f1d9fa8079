using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Tests.Configuration;

/// <summary>Includes as HOCON.md defines them, on real files in a temporary directory.</summary>
public sealed class IncludeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private HoconConfig Load(string file) => ConfigFactory.ParseFile(file).Resolve(useEnvironment: false);

    [Fact]
    public void Include_RelativeName_IsFoundBesideTheIncludingFile_NotTheWorkingDirectory()
    {
        _dir.Write("conf/sub/other.conf", "x = 1");
        var main = _dir.Write("conf/main.conf", "include \"sub/other.conf\"\ny = 2");
        var config = Load(main);
        Assert.Equal(1, config.GetInt("x"));
        Assert.Equal(2, config.GetInt("y"));
    }

    [Fact]
    public void Include_InsideAnObject_NestsTheIncludedKeysThere()
    {
        _dir.Write("inner.conf", "a = 1\nb { c = 2 }");
        var config = Load(_dir.Write("main.conf", "outer { include \"inner.conf\" }"));
        Assert.Equal(1, config.GetInt("outer.a"));
        Assert.Equal(2, config.GetInt("outer.b.c"));
        Assert.False(config.HasPath("a"));
    }

    [Fact]
    public void Include_MergesInPlace_EarlierKeysAreOverriddenAndLaterKeysOverride()
    {
        _dir.Write("inc.conf", "a = included\nb = included\nobj { x = 1 }");
        var config = Load(_dir.Write("main.conf", "a = before\nobj { y = 2 }\ninclude \"inc.conf\"\nb = after"));
        Assert.Equal("included", config.GetString("a"));
        Assert.Equal("after", config.GetString("b"));
        Assert.Equal((1, 2), (config.GetInt("obj.x"), config.GetInt("obj.y")));
    }

    [Fact]
    public void Include_Nested_ResolvesEachRelativeToItsOwnFile()
    {
        _dir.Write("a/b/c.conf", "deep = yes");
        _dir.Write("a/b.conf", "include \"b/c.conf\"\nmid = yes");
        var config = Load(_dir.Write("main.conf", "include \"a/b.conf\""));
        Assert.True(config.GetBoolean("deep"));
        Assert.True(config.GetBoolean("mid"));
    }

    [Fact]
    public void Include_WithoutExtension_MergesPropertiesThenJsonThenConf()
    {
        _dir.Write("multi.properties", "p = from-properties\nshared = properties\nnum = 7");
        _dir.Write("multi.json", """{ "j": "from-json", "shared": "json" }""");
        _dir.Write("multi.conf", "c = from-conf\nshared = conf");
        var config = Load(_dir.Write("main.conf", "include \"multi\""));
        Assert.Equal(("from-properties", "from-json", "from-conf"), (config.GetString("p"), config.GetString("j"), config.GetString("c")));
        Assert.Equal("conf", config.GetString("shared"));
        Assert.Equal(7, config.GetInt("num")); // .properties values are strings; asking for an int converts
        Assert.Equal("7", config.GetString("num"));
    }

    [Fact]
    public void Include_MissingFile_IsIgnored_UnlessRequired()
    {
        Assert.Equal(1, Load(_dir.Write("main.conf", "include \"absent.conf\"\na = 1")).GetInt("a"));

        var required = _dir.Write("req.conf", "a = 1\n  include required(\"absent.conf\")");
        var error = Assert.Throws<ConfigParseException>(() => Load(required));
        Assert.Equal(2, error.Origin!.Line);
        Assert.Equal(3, error.Origin.Column);
        Assert.Contains("required include 'absent.conf' not found", error.Detail);
    }

    [Fact]
    public void Include_FileAndRequiredFileForms_LoadTheNamedFile()
    {
        _dir.Write("f.conf", "v = 1");
        Assert.Equal(1, Load(_dir.Write("m1.conf", "include file(\"f.conf\")")).GetInt("v"));
        Assert.Equal(1, Load(_dir.Write("m2.conf", "include required( file( \"f.conf\" ) )")).GetInt("v"));
        Assert.Equal(1, Load(_dir.Write("m3.conf", "include\n  \"f.conf\"")).GetInt("v"));
    }

    [Fact]
    public void Include_ThatIncludesItself_IsACycleError()
    {
        _dir.Write("a.conf", "include \"b.conf\"");
        _dir.Write("b.conf", "x = 1\ninclude \"a.conf\"");
        var error = Assert.Throws<ConfigParseException>(() => Load(Path.Combine(_dir.Path, "a.conf")));
        Assert.Contains("include cycle", error.Detail);
        Assert.EndsWith("b.conf", error.Origin!.Source);
        Assert.Equal(2, error.Origin.Line);
    }

    [Theory]
    [InlineData("include foo.conf")]
    [InlineData("include url(\"http://x\")")]
    [InlineData("include file(\"x.conf\"")]
    public void Include_Malformed_IsAnErrorOnItsLine(string text)
    {
        var error = Assert.Throws<ConfigParseException>(() => Load(_dir.Write("bad.conf", "a = 1\n" + text)));
        Assert.Equal(2, error.Origin!.Line);
    }

    [Fact]
    public void Include_OfAList_IsAnError()
    {
        _dir.Write("list.json", "[1, 2]");
        var error = Assert.Throws<ConfigParseException>(() => Load(_dir.Write("main.conf", "include \"list.json\"")));
        Assert.Contains("must be an object", error.Detail);
    }

    [Fact]
    public void IncludedSubstitutions_AreRelativeToTheIncludePoint_ThenFallBackToTheRoot()
    {
        _dir.Write("foo.conf", "x = 10\ny = ${x}\nz = ${top}\nlist += 1");
        var config = Load(_dir.Write("main.conf", "top = T\na { include \"foo.conf\" }\na { x = 42 }"));
        Assert.Equal(42, config.GetInt("a.y"));        // fixed up to ${a.x}, which the root redefines
        Assert.Equal("T", config.GetString("a.z"));    // ${a.top} is absent, so ${top} is used
        Assert.Equal(["1"], config.GetStringList("a.list"));
        Assert.False(config.HasPath("list"));
    }

    [Fact]
    public void Properties_KeysSplitOnDots_ValuesAreStrings_AndObjectsWin()
    {
        var file = _dir.Write("p.properties", """
            # comment
            ! also a comment
            a.b = 1
            a.c : two words
            a = loses to the object
            d = one \
                two
            f=\u00e9\ttab
            list.0 = x
            list.1 = y
            """);
        var config = Load(file);
        Assert.Equal("1", config.GetString("a.b"));
        Assert.Equal("two words", config.GetString("a.c"));
        Assert.Equal("one two", config.GetString("d"));
        Assert.Equal("\u00e9\ttab", config.GetString("f"));
        Assert.Equal(["x", "y"], config.GetStringList("list"));
        Assert.Equal(3, config.GetOrigin("a.b").Line);
    }

    [Fact]
    public void IncludeStatement_InTextNotFromAFile_ResolvesAgainstTheWorkingDirectory()
    {
        var file = _dir.Write("wd.conf", "w = 1");
        var config = ConfigFactory.ParseString($"include \"{file}\"");
        Assert.Equal(1, config.GetInt("w"));
    }
}
