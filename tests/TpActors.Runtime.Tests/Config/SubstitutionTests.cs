using TpActors.Runtime.Configuration;
using static TpActors.Runtime.Tests.Configuration.TreeAssert;

namespace TpActors.Runtime.Tests.Configuration;

/// <summary>Substitutions as HOCON.md defines them: lookups from the root, forward references, optional and self-referential substitutions, cycles, the environment.</summary>
public class SubstitutionTests
{
    [Theory]
    [InlineData("a = 1\nb = ${a}", """{"a":1,"b":1}""")]
    [InlineData("b = ${a}\na = 1", """{"a":1,"b":1}""")]
    [InlineData("a = { x = [1, 2] }\nb = ${a}", """{"a":{"x":[1,2]},"b":{"x":[1,2]}}""")]
    [InlineData("a.b.c = deep\nd = ${a.b.c}", """{"a":{"b":{"c":"deep"}},"d":"deep"}""")]
    [InlineData("\"x.y\" = 1\nz = ${\"x.y\"}", """{"x.y":1,"z":1}""")]
    [InlineData("a = 1\nb = ${ a }", """{"a":1,"b":1}""")]
    public void Substitution_LooksUpTheRootPath_ForwardOrBackward(string hocon, string json) => Parses(hocon, json);

    [Theory]
    [InlineData("a = x\nb = ${a}${a}", """{"a":"x","b":"xx"}""")]
    [InlineData("a = 1\nb = ${a} apples", """{"a":1,"b":"1 apples"}""")]
    [InlineData("a = 1\nb = \"n=\"${a}", """{"a":1,"b":"n=1"}""")]
    [InlineData("a = null\nb = x${a}y", """{"a":null,"b":"xy"}""")]
    [InlineData("a = null\nb = ${a}", """{"a":null,"b":null}""")]
    [InlineData("a = [1]\nb = ${a} [2]", """{"a":[1],"b":[1,2]}""")]
    [InlineData("a = { x = 1 }\nb = ${a} { y = 2 }", """{"a":{"x":1},"b":{"x":1,"y":2}}""")]
    [InlineData("a = [1]\nb = [${a}, ${a}]", """{"a":[1],"b":[[1],[1]]}""")]
    public void Substitution_InAConcatenation_KeepsTheConcatenationRules(string hocon, string json) => Parses(hocon, json);

    [Theory]
    [InlineData("a = ${?missing}", "{}")]
    [InlineData("a = 1\na = ${?missing}", """{"a":1}""")]
    [InlineData("a = x${?missing}y", """{"a":"xy"}""")]
    [InlineData("a = [${?missing}, 1]", """{"a":[1]}""")]
    [InlineData("a = ${?missing.deeper.path}\nb = ${?a}", "{}")]
    [InlineData("a { x = 1 }\nb = ${?a.x}", """{"a":{"x":1},"b":1}""")]
    public void OptionalSubstitution_WhenMissing_LeavesTheFieldUndefined(string hocon, string json) => Parses(hocon, json);

    [Fact]
    public void RequiredSubstitution_WhenMissing_NamesItAndItsPosition()
    {
        var error = Fails("a = 1\nb = x ${nope.here}");
        Assert.Equal(new ConfigOrigin("test.conf", 2, 7), error.Origin);
        Assert.Contains("${nope.here}", error.Detail);
        Assert.Contains("optional", error.Detail);
    }

    [Fact]
    public void Substitution_OfAnObjectsOwnField_ResolvesOnlyThatField() =>
        Parses("bar : { foo : 42, baz : ${bar.foo} }", """{"bar":{"foo":42,"baz":42}}""");

    [Fact]
    public void Substitution_SeesTheFinalValue_EvenWhenOverriddenLater() =>
        Parses("bar : { foo : 42, baz : ${bar.foo} }\nbar : { foo : 43 }", """{"bar":{"foo":43,"baz":43}}""");

    [Theory]
    [InlineData("path = a\npath = ${path}\":b\"", """{"path":"a:b"}""")]
    [InlineData("list = [1]\nlist = ${list} [2]\nlist = ${list} [3]", """{"list":[1,2,3]}""")]
    [InlineData("o = { a = 1 }\no = ${o} { b = 2 }", """{"o":{"a":1,"b":2}}""")]
    [InlineData("x = ${?x} start", """{"x":" start"}""")]
    [InlineData("foo : { a : { c : 1 } }\nfoo : ${foo.a}\nfoo : { a : 2 }", """{"foo":{"a":2,"c":1}}""")]
    [InlineData("s { v = 1 }\ns { v = ${s.v}0 }", """{"s":{"v":"10"}}""")]
    [InlineData("a = 1\na = ${a}\na = ${a}", """{"a":1}""")]
    public void SelfReference_ReadsTheValueSetBefore(string hocon, string json) => Parses(hocon, json);

    [Theory]
    [InlineData("a += 1", """{"a":[1]}""")]
    [InlineData("a = [0]\na += 1\na += 2", """{"a":[0,1,2]}""")]
    [InlineData("a = [0]\na += [1, 2]", """{"a":[0,[1,2]]}""")]
    [InlineData("x { a = [0] }\nx { a += 1 }", """{"x":{"a":[0,1]}}""")]
    [InlineData("x.a = [0]\nx.a += 1", """{"x":{"a":[0,1]}}""")]
    public void PlusEquals_AppendsToTheEarlierList(string hocon, string json) => Parses(hocon, json);

    [Fact]
    public void SelfReference_WithNoEarlierValue_IsAnErrorUnlessOptional()
    {
        var error = Fails("a = ${a} x");
        Assert.Equal(new ConfigOrigin("test.conf", 1, 5), error.Origin);
        Assert.Contains("no earlier value", error.Detail);
        Parses("a = ${?a} x", """{"a":" x"}""");
    }

    [Theory]
    [InlineData("a = ${b}\nb = ${a}", 2, 5)]
    [InlineData("a = ${b}\nb = ${c}\nc = ${a}", 3, 5)]
    [InlineData("a = { x = ${a} }", 1, 11)]
    [InlineData("a = [${a}]", 1, 6)]
    public void Cycle_IsAnError_AtTheSubstitutionThatClosesIt(string hocon, int line, int column)
    {
        var error = Fails(hocon);
        Assert.IsType<ConfigResolveException>(error);
        Assert.Equal((line, column), (error.Origin!.Line, error.Origin.Column));
        Assert.Contains("cycle", error.Detail);
    }

    // The examples of HOCON.md, "Examples of Self-Referential Substitutions".
    [Theory]
    [InlineData("foo : { a : 1 }\nfoo : ${foo}", """{"foo":{"a":1}}""")]
    [InlineData("foo : ${?foo}", "{}")]
    [InlineData("foo : ${?foo}\nfoo : { a : 1 }", """{"foo":{"a":1}}""")]
    [InlineData("foo : ${does-not-exist}\nfoo : 42", """{"foo":42}""")]
    [InlineData("foo : ${foo}\nfoo : 42", """{"foo":42}""")]
    [InlineData("a = ${?a}foo", """{"a":"foo"}""")]
    [InlineData("bar : { a : ${foo.d}, b : 1 }\nbar.b = 3\nfoo : { c : ${bar.b}, d : 2 }\nfoo.d = 4", """{"bar":{"a":4,"b":3},"foo":{"c":3,"d":4}}""")]
    [InlineData("a : 1\nb : 2\na : ${b}\nb : ${a}", """{"a":1,"b":1}""")]
    public void SpecExamples_ResolveAsTheSpecificationSays(string hocon, string json) => Parses(hocon, json);

    [Fact]
    public void SpecExample_SelfReferenceBeforeAnyValue_IsAnError()
    {
        var error = Fails("foo : ${foo}\nfoo : { a : 1 }");
        Assert.Equal(new ConfigOrigin("test.conf", 1, 7), error.Origin);
    }

    [Theory]
    [InlineData("foo : { a : 1 }\nbar : ${foo}\nfoo : ${bar} { b : 2 }", """{"foo":{"a":1,"b":2},"bar":{"a":1}}""")]
    [InlineData("foo : { a : { c : 1 } }\nbar : ${foo.a}\nfoo : ${bar} { b : 2 }", """{"foo":{"a":{"c":1},"b":2,"c":1},"bar":{"c":1}}""")]
    [InlineData("a = { x = 1 }\na = ${b}\nb = { y = ${a.x} }", """{"a":{"x":1,"y":1},"b":{"y":1}}""")]
    [InlineData("x = 1\nlink = ${x}\nx = ${link}0", """{"x":"10","link":1}""")]
    public void IndirectSelfReference_IsBrokenByLookingBackInTheMergeStack(string hocon, string json) => Parses(hocon, json);

    [Theory]
    [InlineData("a = ${?b}\nb = ${?a}", "{}")]
    [InlineData("a : { b : ${?a} }", """{"a":{}}""")]
    [InlineData("a = [${?a}, 1]", """{"a":[1]}""")]
    public void OptionalSubstitution_ThatMeetsACycle_IsUndefined(string hocon, string json) => Parses(hocon, json);

    [Fact]
    public void Environment_FillsSubstitutionsTheTreeDoesNotHave()
    {
        const string name = "TPACTORS_TEST_SUBSTITUTION_VALUE";
        Environment.SetEnvironmentVariable(name, "from-env");
        try
        {
            var config = ConfigFactory.ParseString($"a = ${{{name}}}\nb = ${{?{name}}}");
            Assert.Equal("from-env", config.GetString("a"));
            Assert.Equal("from-env", config.GetString("b"));
            Assert.Equal($"environment variable {name}", config.GetOrigin("a").Source);

            // A value in the tree wins over the environment, and null blocks it.
            Assert.Equal("tree", ConfigFactory.ParseString($"{name} = tree\na = ${{{name}}}").GetString("a"));
            Assert.False(ConfigFactory.ParseString($"{name} = null\na = ${{{name}}}").HasPath("a"));

            // Turned off, the environment is not consulted.
            var off = ConfigFactory.ParseString($"a = ${{?{name}}}").Resolve(useEnvironment: false);
            Assert.False(off.HasPath("a"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Environment_EmptyVariable_CountsAsAbsent()
    {
        const string name = "TPACTORS_TEST_EMPTY_VARIABLE";
        Environment.SetEnvironmentVariable(name, "");
        try
        {
            Assert.False(ConfigFactory.ParseString($"a = ${{?{name}}}").HasPath("a"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void WithFallback_SubstitutionsResolveAgainstTheMergedTree()
    {
        var defaults = ConfigFactory.ParseString("port = 80\nurl = \"http://host:\"${port}", "defaults.conf");
        var user = ConfigFactory.ParseString("port = 8080\npaths = ${?paths} [extra]", "user.conf");
        var merged = user.WithFallback(defaults.WithFallback(ConfigFactory.ParseString("paths = [base]")));
        Assert.Equal("http://host:8080", merged.GetString("url"));
        Assert.Equal(["base", "extra"], merged.GetStringList("paths"));
    }
}
