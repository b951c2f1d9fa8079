using System.Reflection;

namespace TpActors.Host.Tests;

/// <summary>The project's types stand beside Akka's without shadowing them: an Akka user never has to qualify a name.</summary>
public sealed class AkkaNamesTests
{
    [Fact]
    public void NoTypeOfTheProject_IsNamedAfterAnAkkaType()
    {
        var akka = new[] { typeof(Akka.Actor.ActorSystem).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Select(SimpleName).ToHashSet(StringComparer.Ordinal);
        var ours = new[] { typeof(TpActorsCli).Assembly, typeof(Layers.Ranks.RankActor).Assembly, typeof(Runtime.Configuration.ConfigLoader).Assembly }
            .SelectMany(Types)
            .Where(t => !t.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)) && !t.Name.StartsWith('<'))
            .Select(t => (Name: SimpleName(t), t.FullName)).ToList();

        var clashes = ours.Where(t => akka.Contains(t.Name)).Select(t => $"{t.FullName} (Akka has a type {t.Name})").Distinct().Order().ToList();
        Assert.True(clashes.Count == 0, string.Join("\n", clashes));
    }

    private static IEnumerable<Type> Types(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    private static string SimpleName(Type type)
    {
        int tick = type.Name.IndexOf('`');
        return tick < 0 ? type.Name : type.Name[..tick];
    }
}
