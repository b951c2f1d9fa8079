using static TpActors.Runtime.Tests.Configuration.TreeAssert;

namespace TpActors.Runtime.Tests.Configuration;

/// <summary>The syntax of HOCON.md, each rule as text and the JSON tree it must give.</summary>
public class HoconSyntaxTests
{
    [Theory]
    [InlineData("# hash comment\na = 1 # trailing\n// slash comment\nb = 2 // trailing", """{"a":1,"b":2}""")]
    [InlineData("a = \"# not a comment\"", """{"a":"# not a comment"}""")]
    [InlineData("a = x//comment", """{"a":"x"}""")]
    [InlineData("a = b/c", """{"a":"b/c"}""")]
    public void Comments_HashAndDoubleSlash_RunToEndOfLine(string hocon, string json) => Parses(hocon, json);

    [Theory]
    [InlineData("a = 1\nb = 2", """{"a":1,"b":2}""")]
    [InlineData("{ a = 1, b = 2 }", """{"a":1,"b":2}""")]
    [InlineData("", "{}")]
    [InlineData("  \n # only a comment\n", "{}")]
    [InlineData("{}", "{}")]
    public void RootBraces_MayBeOmitted(string hocon, string json) => Parses(hocon, json);

    [Theory]
    [InlineData("a : 1", """{"a":1}""")]
    [InlineData("a = 1", """{"a":1}""")]
    [InlineData("a { b = 1 }", """{"a":{"b":1}}""")]
    [InlineData("a.b { c = 1 }", """{"a":{"b":{"c":1}}}""")]
    [InlineData("a\n:\n1", """{"a":1}""")]
    [InlineData("a =\n\n  1", """{"a":1}""")]
    public void Separators_ColonEqualsOrNothingBeforeBrace(string hocon, string json) => Parses(hocon, json);

    [Theory]
    [InlineData("a = 1\nb = 2\n", """{"a":1,"b":2}""")]
    [InlineData("a = 1,\nb = 2,", """{"a":1,"b":2}""")]
    [InlineData("a = 1\n,b = 2", """{"a":1,"b":2}""")]
    [InlineData("a = [1\n2\n3]", """{"a":[1,2,3]}""")]
    [InlineData("a = [1,2,]", """{"a":[1,2]}""")]
    [InlineData("a = [\n1,\n2,\n]", """{"a":[1,2]}""")]
    [InlineData("a = []", """{"a":[]}""")]
    [InlineData("{ a = 1, }", """{"a":1}""")]
    public void Newlines_SeparateLikeCommas_AndOneTrailingCommaIsAllowed(string hocon, string json) => Parses(hocon, json);

    [Theory]
    [InlineData("a = 1,,b = 2", 1, 7)]
    [InlineData(", a = 1", 1, 1)]
    [InlineData("a = [1,,2]", 1, 8)]
    [InlineData("a = [,1]", 1, 6)]
    [InlineData("a = 1 b = 2", 1, 9)]
    public void Commas_LeadingDoubledOrMissing_AreErrorsAtTheirPosition(string hocon, int line, int column)
    {
        var error = Fails(hocon);
        Assert.Equal(new TpActors.Runtime.Configuration.ConfigOrigin("test.conf", line, column), error.Origin);
    }

    [Theory]
    [InlineData("a = 1\na = 2", """{"a":2}""")]
    [InlineData("a { x = 1, y = 2 }\na { y = 3, z = 4 }", """{"a":{"x":1,"y":3,"z":4}}""")]
    [InlineData("a { x { p = 1 } }\na { x { q = 2 } }", """{"a":{"x":{"p":1,"q":2}}}""")]
    [InlineData("a { x = 1 }\na = 5", """{"a":5}""")]
    [InlineData("a = 5\na { x = 1 }", """{"a":{"x":1}}""")]
    [InlineData("a { x = 1 }\na = null\na { y = 2 }", """{"a":{"y":2}}""")]
    [InlineData("a = [1]\na = [2]", """{"a":[2]}""")]
    public void DuplicateKeys_ObjectsMergeRecursively_OtherwiseLaterWins(string hocon, string json) => Parses(hocon, json);

    [Theory]
    [InlineData("a = hello world", """{"a":"hello world"}""")]
    [InlineData("a = foo-bar_baz.qux/quux%~'()<>;|", """{"a":"foo-bar_baz.qux/quux%~'()<>;|"}""")]
    [InlineData("a = 1.2.3", """{"a":"1.2.3"}""")]
    [InlineData("a = -", """{"a":"-"}""")]
    [InlineData("a = truex", """{"a":"truex"}""")]
    [InlineData("a = 10s", """{"a":"10s"}""")]
    [InlineData("a = \u00e9t\u00e9 \u65e5\u672c", """{"a":"\u00e9t\u00e9 \u65e5\u672c"}""")]
    public void UnquotedStrings_RunUntilAReservedCharacter(string hocon, string json) => Parses(hocon, json);

    [Theory]
    [InlineData('$')] [InlineData('"')] [InlineData('{')] [InlineData('}')] [InlineData('[')] [InlineData(']')]
    [InlineData(':')] [InlineData('=')] [InlineData(',')] [InlineData('+')] [InlineData('#')] [InlineData('`')]
    [InlineData('^')] [InlineData('?')] [InlineData('!')] [InlineData('@')] [InlineData('*')] [InlineData('&')] [InlineData('\\')]
    public void UnquotedStrings_ReservedCharacter_IsNotPartOfTheString(char reserved)
    {
        // "a = x<c>y" must not give the string "x<c>y": each reserved character ends the unquoted text.
        string text = $"a = x{reserved}y";
        try
        {
            var config = TpActors.Runtime.Configuration.ConfigFactory.ParseString(text, "test.conf").Resolve(useEnvironment: false);
            Assert.NotEqual($"x{reserved}y", config.HasPath("a") ? config.GetString("a") : null);
        }
        catch (TpActors.Runtime.Configuration.ConfigException e)
        {
            Assert.Equal(1, e.Origin!.Line);
        }
    }

    [Theory]
    [InlineData("a = !", 1, 5)]
    [InlineData("a = 1 + 2", 1, 7)]
    [InlineData("a = $x", 1, 5)]
    [InlineData("a = x@y", 1, 6)]
    public void ReservedCharacters_OutsideQuotes_AreErrorsAtTheirPosition(string hocon, int line, int column)
    {
        var error = Fails(hocon);
        Assert.Equal((line, column), (error.Origin!.Line, error.Origin.Column));
        Assert.Contains("quote", error.Detail);
    }

    [Theory]
    [InlineData("a = \"\"\"hello\nworld\"\"\"", """{"a":"hello\nworld"}""")]
    [InlineData("a = \"\"\"no \\n escapes\"\"\"", """{"a":"no \\n escapes"}""")]
    [InlineData("a = \"\"\"x\"\"\"\"\"", """{"a":"x\"\""}""")]
    [InlineData("a = \"\"\"\"\"\"", """{"a":""}""")]
    [InlineData("a = \"\"\" \"q\" \"\"\"", """{"a":" \"q\" "}""")]
    public void TripleQuotedStrings_KeepNewlinesAndNoEscapes(string hocon, string json) => Parses(hocon, json);

    [Theory]
    [InlineData("a = \"tab\\there\"", """{"a":"tab\there"}""")]
    [InlineData("a = \"\\u00e9\\\"\\\\\\/\"", """{"a":"\u00e9\"\\/"}""")]
    public void QuotedStrings_DecodeJsonEscapes(string hocon, string json) => Parses(hocon, json);

    [Theory]
    [InlineData("a = foo bar  baz", """{"a":"foo bar  baz"}""")]
    [InlineData("a = \"foo\"bar", """{"a":"foobar"}""")]
    [InlineData("a = 1 2 3", """{"a":"1 2 3"}""")]
    [InlineData("a = null true 3.14", """{"a":"null true 3.14"}""")]
    [InlineData("a = [1, 2] [3]", """{"a":[1,2,3]}""")]
    [InlineData("a = [1] [] [2]", """{"a":[1,2]}""")]
    [InlineData("a = { x = 1 } { y = 2 }", """{"a":{"x":1,"y":2}}""")]
    [InlineData("a = { x = 1 } { x = 2 }", """{"a":{"x":2}}""")]
    [InlineData("a = [ foo bar, baz ]", """{"a":["foo bar","baz"]}""")]
    [InlineData("a =   padded   ", """{"a":"padded"}""")]
    public void ValueConcatenation_JoinsStringsListsAndObjects(string hocon, string json) => Parses(hocon, json);

    [Theory]
    [InlineData("a = [1] x")]
    [InlineData("a = { x = 1 } [2]")]
    [InlineData("a = foo { x = 1 }")]
    [InlineData("a = [1 2 3] [4] 5")]
    public void ValueConcatenation_MixedKinds_IsAnError(string hocon)
    {
        var error = Fails(hocon);
        Assert.Contains("cannot concatenate", error.Detail);
        Assert.Equal(1, error.Origin!.Line);
    }

    [Theory]
    [InlineData("a.b.c = 1", """{"a":{"b":{"c":1}}}""")]
    [InlineData("a.\"b.c\".d = 1", """{"a":{"b.c":{"d":1}}}""")]
    [InlineData("\"a.b\" = 1", """{"a.b":1}""")]
    [InlineData("a b c = 1", """{"a b c":1}""")]
    [InlineData("foo include = 1", """{"foo include":1}""")]
    [InlineData("\"include\" = 1", """{"include":1}""")]
    [InlineData("10.5 = x", """{"10":{"5":"x"}}""")]
    [InlineData("true = 1\nnull = 2", """{"true":1,"null":2}""")]
    [InlineData("a.\"\".b = 1", """{"a":{"":{"b":1}}}""")]
    [InlineData("a.b = 1\na.c = 2", """{"a":{"b":1,"c":2}}""")]
    [InlineData("a.b.c = 1\na.b = { d = 2 }", """{"a":{"b":{"c":1,"d":2}}}""")]
    public void PathExpressions_DotsSplitUnquotedKeysOnly(string hocon, string json) => Parses(hocon, json);

    [Theory]
    [InlineData("a..b = 1", 1, 1)]
    [InlineData(".a = 1", 1, 1)]
    [InlineData("a. = 1", 1, 1)]
    public void PathExpressions_EmptyKey_IsAnError(string hocon, int line, int column)
    {
        var error = Fails(hocon);
        Assert.Equal((line, column), (error.Origin!.Line, error.Origin.Column));
        Assert.Contains("empty key", error.Detail);
    }

    [Theory]
    [InlineData("a = 42", """{"a":42}""")]
    [InlineData("a = -7", """{"a":-7}""")]
    [InlineData("a = 3.25", """{"a":3.25}""")]
    [InlineData("a = 1e3", """{"a":1000}""")]
    [InlineData("a = 9223372036854775807", """{"a":9223372036854775807}""")]
    [InlineData("a = true\nb = false\nc = null", """{"a":true,"b":false,"c":null}""")]
    public void SimpleValues_KeepTheirTypes(string hocon, string json) => Parses(hocon, json);

    [Fact]
    public void Numbers_KeepTheTextTheyWereWrittenAs()
    {
        var config = TpActors.Runtime.Configuration.ConfigFactory.ParseString("a = 1.50\nb = 1.50 x");
        Assert.Equal("1.50", config.GetString("a"));
        Assert.Equal("1.50 x", config.GetString("b"));
    }

    [Fact]
    public void Whitespace_NonBreakingAndUnicodeSpaces_SeparateLikeSpaces() =>
        Parses("a\u00a0=\u2003b\ufeff", """{"a":"b"}""");

    [Theory]
    [InlineData("a = [1, [2, 3], {b = 4}]", """{"a":[1,[2,3],{"b":4}]}""")]
    [InlineData("[1]", null)]
    public void Lists_NestAnything_ButADocumentMustBeAnObject(string hocon, string? json)
    {
        if (json is not null) Parses(hocon, json);
        else Assert.Contains("must be an object", Fails(hocon).Detail);
    }

    [Theory]
    [InlineData("a = include", """{"a":"include"}""")]
    [InlineData("a = [include]", """{"a":["include"]}""")]
    [InlineData("a = \"${not.a.substitution}\"", """{"a":"${not.a.substitution}"}""")]
    [InlineData("a = 1\r\nb = x y\r\n", """{"a":1,"b":"x y"}""")]
    [InlineData("a [1]", null)]
    public void Keywords_Quotes_AndLineEndings(string hocon, string? json)
    {
        if (json is not null) Parses(hocon, json);
        else Assert.Contains("expected ':', '=', '+=' or '{' after key 'a', found '['", Fails(hocon).Detail);
    }

    [Fact]
    public void Json_IsValidHocon() =>
        Parses("""{"a": {"b": [1, 2.5, "x", true, null]}, "c": "\u0041"}""", """{"a":{"b":[1,2.5,"x",true,null]},"c":"A"}""");
}
