using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Tests.Configuration;

/// <summary>Every parse error names file:line:column and what was expected there.</summary>
public class ParseErrorTests
{
    [Theory]
    [InlineData("a {\n  b = 1\n", 3, 1, "expected '}' to close the object opened at 1:3, found end of file")]
    [InlineData("{ a = 1 ", 1, 9, "expected '}' to close the object opened at 1:1")]
    [InlineData("a = 1\n}", 2, 1, "unbalanced '}'")]
    [InlineData("{ a = 1 } }", 1, 11, "expected end of file after the '}'")]
    [InlineData("a = [1, 2", 1, 10, "expected ']' to close the list opened at 1:5")]
    [InlineData("a = [1, }", 1, 9, "expected a list element or ']', found '}'")]
    [InlineData("a = { b = ] }", 1, 11, "expected a value for key 'b', found ']'")]
    public void UnbalancedBracesAndBrackets(string text, int line, int column, string message) =>
        AssertError(text, line, column, message);

    [Theory]
    [InlineData("a = \"open", 1, 5, "unterminated quoted string")]
    [InlineData("a = \"line\nbreak\"", 1, 10, "expected a closing '\"' before the end of the line")]
    [InlineData("a = \"bad \\q escape\"", 1, 10, "invalid escape '\\q'")]
    [InlineData("a = \"\\u12\"", 1, 6, "four hex digits")]
    [InlineData("a = \"\"\"never closed", 1, 5, "unterminated \"\"\" string")]
    public void BadStrings(string text, int line, int column, string message) => AssertError(text, line, column, message);

    [Theory]
    [InlineData("a\nb = 1", 2, 1, "expected ':', '=', '+=' or '{' after key 'a', found 'b'")]
    [InlineData("a = 1\nkey", 2, 4, "expected ':', '=', '+=' or '{' after key 'key', found end of file")]
    [InlineData("a = ", 1, 5, "expected a value for key 'a', found end of file")]
    [InlineData("a = \n\n", 3, 1, "expected a value for key 'a', found end of file")]
    [InlineData("a = b : c", 1, 7, "unexpected ':' in a value")]
    [InlineData("${x} = 1", 1, 1, "substitutions are not allowed in keys")]
    [InlineData("a ${x} = 1", 1, 3, "substitutions are not allowed in keys")]
    [InlineData("[ = 1", 1, 1, "must be an object")]
    [InlineData("a = ${}", 1, 5, "expected a path inside '${ }'")]
    [InlineData("a = ${b", 1, 5, "substitution '${' is not closed")]
    [InlineData("a = ${b[0]}", 1, 8, "'[' is not allowed in a substitution path")]
    [InlineData("a = 1e+x", 1, 5, "invalid number '1e+'")]
    public void MisplacedTokens(string text, int line, int column, string message) => AssertError(text, line, column, message);

    [Fact]
    public void ErrorsInFiles_NameTheFile()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("broken.conf", "ok = 1\nbad = {");
        var error = Assert.Throws<ConfigParseException>(() => ConfigFactory.ParseFile(file));
        Assert.EndsWith("broken.conf", error.Origin!.Source);
        Assert.Equal((2, 8), (error.Origin.Line, error.Origin.Column));
        Assert.Matches(@"broken\.conf:2:8: expected '}'", error.Message);
    }

    [Fact]
    public void Columns_CountFromOneAndFollowTabs()
    {
        AssertError("\ta = ]", 1, 6, "expected a value for key 'a'");
    }

    [Fact]
    public void Nesting_UpToTheLimit_Parses_AndOneDeeper_IsAnErrorAtTheOpeningBrace()
    {
        static string Nest(int n) => "a = " + string.Concat(Enumerable.Repeat("{x = ", n)) + "1" + new string('}', n);
        var deep = ConfigFactory.ParseString(Nest(256));
        Assert.Equal(1, deep.GetInt("a" + string.Concat(Enumerable.Repeat(".x", 256))));
        AssertError(Nest(257), 1, 4 + 256 * 5 + 1, "nested more than 256 deep");
        AssertError(Nest(100_000), 1, 4 + 256 * 5 + 1, "nested more than 256 deep");
    }

    [Fact]
    public void DottedKeys_CountTowardTheNestingLimit_AsBracesDo()
    {
        static string Dotted(int keys) => string.Join('.', Enumerable.Repeat("a", keys)) + " = 1";
        Assert.Equal(1, ConfigFactory.ParseString(Dotted(257)).GetInt(string.Join('.', Enumerable.Repeat("a", 257)))); // 256 objects, as Nest(256)
        AssertError(Dotted(258), 1, 1, "a path of more than 257 keys nests deeper than objects may (256)");
        AssertError(Dotted(200_000), 1, 1, "a path of more than 257 keys");
        // Braces and dotted keys together: 100 braces, then a key of 200 parts.
        AssertError("x { " + string.Concat(Enumerable.Repeat("x { ", 99)) + Dotted(200) + new string('}', 100), 1, 401, "nested more than 256 deep here (counting the 200 keys of this path)");
    }

    [Fact]
    public void DottedKeys_FromTheCommandLineAndPropertiesFiles_AreHeldToTheSameLimit()
    {
        string deep = string.Join('.', Enumerable.Repeat("a", 5000));
        var define = Assert.Throws<ConfigParseException>(() => ConfigLoader.Load(null, [deep + "=1"]));
        Assert.StartsWith("-D[1]:1:1:", define.Message);
        using var dir = new TempDirectory();
        var properties = Assert.Throws<ConfigParseException>(() => ConfigLoader.Load(dir.Write("deep.properties", "ok = 1\n" + deep + " = 1\n")));
        Assert.Contains("deep.properties:2:1: a key of 5000 parts nests deeper than objects may (256)", properties.Message);
    }

    [Fact]
    public void Nesting_CountsThroughIncludes()
    {
        using var dir = new TempDirectory();
        dir.Write("inner.conf", "b = " + string.Concat(Enumerable.Repeat("[", 200)) + new string(']', 200));
        var outer = dir.Write("outer.conf", "a = " + string.Concat(Enumerable.Repeat("{ x = ", 100)) + "{ include \"inner.conf\" }" + new string('}', 100));
        var error = Assert.Throws<ConfigParseException>(() => ConfigFactory.ParseFile(outer));
        Assert.EndsWith("inner.conf", error.Origin!.Source);
        Assert.Contains("nested more than 256 deep", error.Detail);
    }

    [Fact]
    public void SubstitutionChain_BeyondTheLimit_IsAnErrorAtTheSubstitution()
    {
        static string Chain(int n) => string.Join("\n", Enumerable.Range(0, n).Select(i => $"a{i} = ${{a{i + 1}}}")) + $"\na{n} = 1";
        Assert.Equal(1, ConfigFactory.ParseString(Chain(512)).GetInt("a0"));
        AssertError(Chain(100_000), 513, 8, "more than 512 deep");
    }

    private static void AssertError(string text, int line, int column, string message)
    {
        var error = Assert.ThrowsAny<ConfigException>(() => ConfigFactory.ParseString(text, "e.conf").Resolve(useEnvironment: false));
        Assert.True(error.Origin == new ConfigOrigin("e.conf", line, column), $"expected the error at e.conf:{line}:{column}, got {error.Message}");
        Assert.Contains(message, error.Detail);
        Assert.StartsWith($"e.conf:{line}:{column}: ", error.Message);
    }
}
