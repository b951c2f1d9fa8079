using System.Reflection;
using Xunit.Abstractions;

namespace TpActors.Layers.Tests.Architecture;

// The Layers project's folders (one namespace each) depend on one another one way only, as its layout promises: no
// namespace circle, read from the compiled code. The graph is printed with the test's output.
public sealed class FolderGraphTests(ITestOutputHelper output)
{
    private static readonly Assembly Layers = typeof(ILayersMessage).Assembly;

    // Folder → the folders its code uses, for the Layers assembly's own namespaces.
    private static SortedDictionary<string, SortedSet<string>> FolderGraph()
    {
        var graph = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var (type, uses) in new AssemblyGraph(Layers).Uses)
        {
            if (string.IsNullOrEmpty(type.Namespace)) continue; // what the compiler adds (<PrivateImplementationDetails>, attributes) is no folder
            string from = Folder(type);
            if (!graph.TryGetValue(from, out var edges)) graph[from] = edges = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var used in uses.SelectMany(AssemblyGraph.TypesOf).Where(t => t.Assembly == Layers && !string.IsNullOrEmpty(t.Namespace)))
                if (Folder(used) is var to && to != from) edges.Add(to);
        }
        return graph;
    }

    private static string Folder(Type type)
    {
        string ns = AssemblyGraph.Outermost(type).Namespace ?? "";
        return ns == "TpActors.Layers" ? "(root)" : ns.StartsWith("TpActors.Layers.", StringComparison.Ordinal) ? ns["TpActors.Layers.".Length..] : ns;
    }

    [Fact]
    public void TheFolders_DependOnOneAnother_OneWayOnly()
    {
        var graph = FolderGraph();
        foreach (var (folder, uses) in graph) output.WriteLine($"{folder,-14} → {string.Join(", ", uses)}");
        var circles = StronglyConnected(graph).Where(c => c.Count > 1).ToList();
        Assert.True(circles.Count == 0, "Namespace circles: " + string.Join("; ", circles.Select(c => string.Join(" ⇄ ", c))) + " — in "
            + string.Join("; ", circles.SelectMany(c => Witnesses(c)).Take(20)));
    }

    [Fact]
    public void ThereIsNoExecutionFolder()
    {
        Assert.DoesNotContain(Layers.GetTypes(), t => t.Namespace?.Contains(".Execution", StringComparison.Ordinal) == true);
        Assert.False(Directory.Exists(RepositoryRoot.File("src/TpActors.Layers/Execution")));
    }

    // A test of the test: a circle is found where there is one.
    [Fact]
    public void ACircle_IsFound()
    {
        var graph = new SortedDictionary<string, SortedSet<string>>
        {
            ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = ["A"],
        };
        Assert.Equal(["A", "B", "C"], Assert.Single(StronglyConnected(graph), c => c.Count > 1).Order());
    }

    // Which types of a circle's folders use which types of another folder of it: where to cut.
    private static IEnumerable<string> Witnesses(IReadOnlyCollection<string> circle) =>
        new AssemblyGraph(Layers).Uses
            .Where(kv => circle.Contains(Folder(kv.Key)))
            .SelectMany(kv => kv.Value.SelectMany(AssemblyGraph.TypesOf)
                .Where(t => t.Assembly == Layers && Folder(t) != Folder(kv.Key) && circle.Contains(Folder(t)))
                .Select(t => $"{kv.Key.Name} uses {t.Name}"))
            .Distinct();

    // Tarjan's strongly connected components.
    private static List<List<string>> StronglyConnected(IReadOnlyDictionary<string, SortedSet<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<List<string>>();
        int next = 0;

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.TryGetValue(v, out var edges) ? edges : [])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            components.Add(component);
        }

        foreach (var v in graph.Keys) if (!index.ContainsKey(v)) Visit(v);
        return components;
    }
}
