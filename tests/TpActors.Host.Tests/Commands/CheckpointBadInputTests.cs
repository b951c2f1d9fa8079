using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TpActors.Host.Tests.Commands;

// A checkpoint is input like any other: numbers that are not finite, metadata of the wrong kind or out of range, and
// sizes that disagree are refused with exit 1, naming the step, the file and the field; none reaches a rank.
public sealed class CheckpointBadInputTests
{
    private static readonly string[] Small = ["--layers", "2", "--hidden", "10", "--ffn", "7", "--batch", "4", "-D", "tpactors.tensors.backend=managed"];

    // A run of 4 steps at tp 2 with checkpoints at steps 2 and 4.
    private static string Trained(TempDirectory directory)
    {
        string root = directory.File("ck");
        var trained = CliRunner.Run(["train", .. Small, "--tp", "2", "--steps", "4", "--checkpoint-every", "2", "--checkpoint-dir", root]);
        Assert.True(trained.ExitCode == 0, trained.Error);
        return root;
    }

    // Writes value into element `index` of a tensor of a rank file, then records the file's new size and SHA-256 in the
    // metadata: the files are "valid" by every digest, only the number is wrong.
    private static void Poke(string step, string file, string tensor, int index, float value)
    {
        string path = Path.Combine(step, file);
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using (var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength)))
        {
            long begin = header.RootElement.GetProperty(tensor).GetProperty("data_offsets")[0].GetInt64();
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + headerLength + (int)begin + 4 * index), value);
        }
        File.WriteAllBytes(path, bytes);
        EditMetadata(step, metadata =>
        {
            var entry = metadata["files"]!.AsArray().First(f => (string)f!["name"]! == file)!;
            entry["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes));
            entry["bytes"] = bytes.Length;
        });
    }

    private static void EditMetadata(string step, Action<JsonNode> edit)
    {
        string path = Path.Combine(step, "metadata.json");
        var metadata = JsonNode.Parse(File.ReadAllText(path))!;
        edit(metadata);
        File.WriteAllText(path, metadata.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    [Theory]
    [InlineData("rank-1-of-2.safetensors", "blocks.0.fc1.weight", 3, float.NaN, "NaN at [1, 0]")]
    [InlineData("rank-0-of-2.safetensors", "blocks.1.fc2.weight.exp_avg_sq", 5, float.PositiveInfinity, "+Inf at [0, 5]")]
    [InlineData("rank-1-of-2.safetensors", "blocks.1.fc2.bias", 0, float.NegativeInfinity, "-Inf at [0]")]
    public void NonFiniteNumbers_AreRefused_ByInspectAndResume_NamingTensorFileAndStep(string file, string tensor, int index, float value, string found)
    {
        using var directory = new TempDirectory();
        string root = Trained(directory), step = Path.Combine(root, "step-00000004");
        Poke(step, file, tensor, index, value);

        var inspected = CliRunner.Run("checkpoint", "inspect", root);
        Assert.Equal(1, inspected.ExitCode);
        Assert.Matches(@"\n4 +2 .* FAILED +-", inspected.Out);
        Assert.Contains($"{Path.Combine(step, file)}: step 4: tensor '{tensor}' holds {found}", inspected.Error);

        var resumed = CliRunner.Run(["train", "-D", "tpactors.tensors.backend=managed", "--steps", "6", "--resume", root, "--json"]);
        Assert.Equal(1, resumed.ExitCode);
        string error = JsonDocument.Parse(resumed.Out).RootElement.GetProperty("error").GetString()!;
        Assert.Contains($"{Path.Combine(step, file)}: step 4: tensor '{tensor}' holds {found}", error);
        Assert.DoesNotContain("--lr", error); // the learning rate is not to blame
    }

    [Theory]
    [InlineData("tp", "1e30", "'tp' must be a whole number from -2147483648 to 2147483647")]
    [InlineData("step", "12345678901234567890", "'step' must be a whole number from -9223372036854775808 to 9223372036854775807")]
    [InlineData("model", "{\"layers\": 2, \"hidden\": \"ten\"}", "'model.hidden' must be a whole number")]
    public void MetadataOfTheWrongKind_IsExit1_WithFileLineAndColumn_AndNoTypeNames(string field, string value, string expected)
    {
        using var directory = new TempDirectory();
        string root = Trained(directory), metadata = Path.Combine(root, "step-00000004", "metadata.json");
        var text = File.ReadAllText(metadata);
        int at = text.IndexOf($"\"{field}\": ", StringComparison.Ordinal) + field.Length + 4;
        int end = field == "model" ? text.IndexOf('}', at) + 1 : text.IndexOfAny([',', '\n'], at);
        File.WriteAllText(metadata, text[..at] + value + text[end..]);

        foreach (var result in new[] { CliRunner.Run("checkpoint", "inspect", root), CliRunner.Run("train", "--steps", "6", "--resume", root) })
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Matches(System.Text.RegularExpressions.Regex.Escape(metadata) + @":\d+:\d+: " + System.Text.RegularExpressions.Regex.Escape(expected), result.Error);
            Assert.DoesNotContain("TpActors.", result.Error);
            Assert.DoesNotContain("System.", result.Error);
        }
    }

    [Fact]
    public void SizesThatDisagreeOrCannotBeHeld_AreExit1_NamingTheFile_NotOptionsNeverGiven()
    {
        using var directory = new TempDirectory();
        string root = Trained(directory), step = Path.Combine(root, "step-00000004"), metadata = Path.Combine(step, "metadata.json");

        // The model says one size, the tensors another: both commands refuse the step.
        EditMetadata(step, m => m["model"]!["hidden"] = 2_000_000_000);
        foreach (var result in new[] { CliRunner.Run("checkpoint", "inspect", root), CliRunner.Run("train", "--steps", "6", "--resume", root) })
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"{metadata}: tensor 'blocks.0.fc1.weight' has shape [10, 7], but the model it describes (hidden 2000000000, ffn 7) makes it [2000000000, 7]", result.Error);
            Assert.DoesNotContain("--hidden", result.Error);
        }

        // Consistent, but one tensor larger than any array: refused as the file's fault, exit 1.
        EditMetadata(step, m =>
        {
            m["model"]!["hidden"] = 2_000_000_000;
            foreach (var tensor in m["tensors"]!.AsArray())
                if (((string)tensor!["name"]!).Contains(".fc1.weight", StringComparison.Ordinal)) tensor["shape"] = new JsonArray(2_000_000_000, 7);
                else if (((string)tensor!["name"]!).Contains(".fc2.weight", StringComparison.Ordinal)) tensor["shape"] = new JsonArray(7, 2_000_000_000);
        });
        var resumed = CliRunner.Run("train", "--steps", "6", "--resume", root);
        Assert.Equal(1, resumed.ExitCode);
        Assert.Contains($"{metadata}: tensor 'blocks.0.fc1.weight' has shape [2000000000, 7]", resumed.Error);
        Assert.DoesNotContain("--hidden", resumed.Error);
    }

    [MountFact]
    public void AResumedRunThatCannotWrite_ReportsTheStepItResumedFrom_AsItsLastCheckpoint()
    {
        using var directory = new TempDirectory();
        string trained = Trained(directory), mount = directory.File("full");
        Directory.CreateDirectory(mount);
        // A copy of the checkpoint on a 1 MiB tmpfs, then filled: the step resumed from is intact, the next one cannot be written.
        var result = CliProcess.InMountNamespace(
            $"mount -t tmpfs -o size=1m tmpfs '{mount}' && cp -r '{trained}' '{mount}/ck' && (dd if=/dev/zero of='{mount}/fill' bs=4k 2>/dev/null; true)",
            ["train", "-D", "tpactors.tensors.backend=managed", "--steps", "6", "--checkpoint-every", "1", "--resume", $"{mount}/ck", "--json"]);
        Assert.Equal(1, result.ExitCode);
        var json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Contains("No space left on device", json.GetProperty("error").GetString());
        Assert.Equal($"{mount}/ck/step-00000004", json.GetProperty("last_checkpoint").GetString());
        Assert.Contains($"The last checkpoint, {mount}/ck/step-00000004, is intact.", result.Error);
    }
}
