using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Tests.Configuration;

/// <summary>The files in hocon/: the embedded defaults are the file in the repository, each setting is documented, the example loads.</summary>
public class ReferenceConfTests
{
    [Fact]
    public void EmbeddedReference_IsTheRepositoryFile()
    {
        var fromFile = ConfigFactory.ParseFile(RepositoryRoot.File("hocon/reference.conf"));
        Assert.Equal(fromFile.ToJson(), ConfigFactory.Reference.ToJson());
    }

    [Fact]
    public void EverySetting_HasACommentLineAboveIt()
    {
        var lines = File.ReadAllLines(RepositoryRoot.File("hocon/reference.conf"));
        var undocumented = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            bool isSetting = line.Length > 0 && !line.StartsWith('#') && !line.StartsWith("//") && (line.Contains('=') || line.EndsWith('{'));
            if (!isSetting) continue;
            int previous = i - 1;
            while (previous >= 0 && lines[previous].Trim().Length == 0) previous--;
            if (previous < 0 || !lines[previous].TrimStart().StartsWith('#'))
                undocumented.Add($"reference.conf:{i + 1}: {line}");
        }
        Assert.True(undocumented.Count == 0, "settings without a comment line above them:\n" + string.Join("\n", undocumented));
    }

    [Fact]
    public void ExampleUserFile_LoadsAndChecksClean()
    {
        var loaded = ConfigLoader.Load(RepositoryRoot.File("hocon/example.conf"), ["experiment.home=/home/user"]);
        Assert.Empty(loaded.Warnings);
        var c = loaded.Config;
        Assert.Equal("warn", c.GetString("tpactors.config.unknown-keys"));
        Assert.Equal("/home/user/tpactors-runs/mlp-sweep", c.GetString("experiment.output"));
        Assert.Equal([TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1)],
            c.GetStringList("experiment.timeouts").Select(t => ConfigUnits.ParseDuration(t, out _)!.Value));
        Assert.Equal(512L * 1024 * 1024, c.GetBytes("experiment.shard-budget"));
        Assert.Equal(["baseline", "sweep"], c.GetStringList("experiment.tags"));
    }
}
