using System.Text.Json;
using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Tests.Configuration;

/// <summary>The lightbend/config equivalence corpus: every test file resolves to its folder's original.json.</summary>
public class EquivalenceCorpusTests
{
    public static TheoryData<string> Files() => [.. HoconCorpus.EquivalenceFiles()];

    [CorpusFact]
    public void Corpus_HasTheFifteenUpstreamTestFilesInFiveFolders()
    {
        var files = HoconCorpus.EquivalenceFiles().ToList();
        Assert.Equal(15, files.Count);
        Assert.Equal(5, files.Select(f => f.Split('/')[0]).Distinct().Count());
    }

    [CorpusTheory]
    [MemberData(nameof(Files))]
    public void File_ResolvesToOriginalJson(string file)
    {
        // Upstream resolves against the file's own root only: no environment variables.
        var config = ConfigFactory.ParseFile(HoconCorpus.Lightbend(file)).Resolve(useEnvironment: false);
        TreeAssert.Equal(OriginalJson(file), config);
    }

    [CorpusTheory]
    [MemberData(nameof(Files))]
    public void RenderedHoconAndJson_ParseBackToTheSameTree(string file)
    {
        var config = ConfigFactory.ParseFile(HoconCorpus.Lightbend(file)).Resolve(useEnvironment: false);
        TreeAssert.Equal(OriginalJson(file), ConfigFactory.ParseString(config.ToHocon()));
        TreeAssert.Equal(OriginalJson(file), ConfigFactory.ParseString(config.ToHocon(withOrigins: true)));
        TreeAssert.Equal(OriginalJson(file), ConfigFactory.ParseString(config.ToJson()));
        using var _ = JsonDocument.Parse(config.ToJson()); // and it is strict JSON
    }

    [CorpusFact]
    public void JsonTestFiles_ParseAsHocon()
    {
        var jsonFiles = HoconCorpus.EquivalenceFiles().Where(f => f.EndsWith(".json", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(jsonFiles);
        foreach (var file in jsonFiles)
            TreeAssert.Equal(OriginalJson(file), ConfigFactory.ParseString(File.ReadAllText(HoconCorpus.Lightbend(file)), file));
    }

    private static string OriginalJson(string file) =>
        File.ReadAllText(HoconCorpus.Lightbend(Path.Combine(Path.GetDirectoryName(file)!, "original.json")));
}
