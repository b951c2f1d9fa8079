using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using TpActors.Layers.Tests.Training;

namespace TpActors.Layers.Tests.Checkpoints;

// Checkpoints: resume is bit-exact, resharding keeps the full state, damage and mismatches are refused, crashes lose nothing.
public sealed class CheckpointTests
{
    [Theory]
    [InlineData("adamw")]
    [InlineData("sgd")]
    public async Task Resume_EqualsTheUninterruptedRun_BitForBit(string optimizer)
    {
        var spec = optimizer == "sgd" ? TrainingRuns.Sgd : TrainingRuns.AdamW;
        var uninterrupted = await TrainingRuns.Run(TrainingRuns.Options(2, 9, spec));
        using var directory = new TempDirectory();
        var first = await TrainingRuns.Run(TrainingRuns.Options(2, 5, spec) with { CheckpointDirectory = directory.Path, CheckpointEvery = 2 });
        Assert.Equal([2, 4, 5], CheckpointDirectory.CompleteSteps(directory.Path).Select(s => (int)s));

        var resumed = await TrainingRuns.Run(TrainingRuns.Options(2, 9, spec) with { ResumeFrom = directory.Path });

        Assert.Equal(5, resumed.StartStep);
        Assert.Equal(uninterrupted.WeightsSha256, resumed.WeightsSha256);
        Assert.True(TrainingRuns.BitIdentical(uninterrupted.FinalState!, resumed.FinalState!));
        Assert.Equal(uninterrupted.Losses.Skip(5), resumed.Losses);
        Assert.Equal(uninterrupted.Losses.Take(5), first.Losses);
    }

    [Theory]
    [InlineData(4, 2)]
    [InlineData(2, 3)]
    [InlineData(3, 1)]
    [InlineData(1, 4)]
    public async Task Reshard_KeepsTheFullWeightsAndOptimizerState(int from, int to)
    {
        using var directory = new TempDirectory();
        var saved = await TrainingRuns.Run(TrainingRuns.Options(from, 4) with { CheckpointDirectory = directory.Path });

        // Resumed with nothing left to train, the run gathers exactly what it restored.
        var restored = await TrainingRuns.Run(TrainingRuns.Options(to, 4) with { ResumeFrom = directory.Path });

        Assert.True(TrainingRuns.BitIdentical(saved.FinalState!, restored.FinalState!), $"TP {from} → {to} changed the full state");
        Assert.Equal(saved.WeightsSha256, restored.WeightsSha256);

        // And training on at the new size stays within float32 tolerance of training on at the old one.
        var onOld = await TrainingRuns.Run(TrainingRuns.Options(from, 7) with { ResumeFrom = directory.Path });
        var onNew = await TrainingRuns.Run(TrainingRuns.Options(to, 7) with { ResumeFrom = directory.Path });
        Assert.True(TrainingRuns.MaxDifference(onOld.FinalState!, onNew.FinalState!) < 1e-4f);
    }

    [Fact]
    public async Task Checkpoint_IsSafetensors_WithMetadataThatDescribesIt()
    {
        using var directory = new TempDirectory();
        await TrainingRuns.Run(TrainingRuns.Options(3, 2) with { CheckpointDirectory = directory.Path });
        string step = Path.Combine(directory.Path, "step-00000002");
        Assert.Equal("step-00000002", File.ReadAllText(Path.Combine(directory.Path, "latest")).Trim());
        var metadata = CheckpointMetadata.Read(Path.Combine(step, "metadata.json"));
        Assert.Equal((2L, 3, "adamw", 14, 22), (metadata.Step, metadata.Tp, metadata.Optimizer.Name, ((MlpStackSpec)metadata.Model).Hidden, ((MlpStackSpec)metadata.Model).Ffn));
        var fc1 = metadata.Tensors.Single(t => t.Name == "blocks.0.fc1.weight.exp_avg");
        Assert.Equal("columns", fc1.Axis);
        Assert.Equal([14, 22], fc1.Shape);
        Assert.Equal("replicated", metadata.Tensors.Single(t => t.Name == "blocks.1.fc2.bias").Axis);

        // The raw layout: u64 header length, JSON header padded to 8 bytes, then data; rank 1 of 3 holds 7 of fc1's 22 columns.
        byte[] bytes = File.ReadAllBytes(Path.Combine(step, "rank-1-of-3.safetensors"));
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, (8 + length) % 8);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)length));
        var entry = header.RootElement.GetProperty("blocks.0.fc1.weight");
        Assert.Equal("F32", entry.GetProperty("dtype").GetString());
        Assert.Equal([14, 7], entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("1", header.RootElement.GetProperty("__metadata__").GetProperty("rank").GetString());
        long end = header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").Max(p => p.Value.GetProperty("data_offsets")[1].GetInt64());
        Assert.Equal(bytes.Length, 8 + (long)length + end);
    }

    public static TheoryData<string, string> Damage() => new()
    {
        { "truncate", "truncated" },
        { "flip-data", "SHA-256" },
        { "flip-header", "SHA-256" },
        { "delete", "is missing" },
        { "metadata-size", "truncated" },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task DamagedCheckpoint_IsRefused_SayingWhat(string damage, string expected)
    {
        using var directory = new TempDirectory();
        await TrainingRuns.Run(TrainingRuns.Options(2, 2) with { CheckpointDirectory = directory.Path });
        string step = Path.Combine(directory.Path, "step-00000002"), file = Path.Combine(step, "rank-1-of-2.safetensors");
        byte[] bytes = File.ReadAllBytes(file);
        switch (damage)
        {
            case "truncate": File.WriteAllBytes(file, bytes[..^100]); break;
            case "flip-data": bytes[^5] ^= 0x40; File.WriteAllBytes(file, bytes); break;
            case "flip-header": bytes[20] = (byte)(bytes[20] == (byte)'a' ? 'b' : 'a'); File.WriteAllBytes(file, bytes); break;
            case "delete": File.Delete(file); break;
            case "metadata-size":
                string metadata = Path.Combine(step, "metadata.json");
                string text = File.ReadAllText(metadata), recorded = $"\"bytes\": {bytes.Length}";
                Assert.Contains(recorded, text);
                int at = text.LastIndexOf(recorded, StringComparison.Ordinal); // rank 1's entry comes last
                File.WriteAllText(metadata, text[..at] + $"\"bytes\": {bytes.Length + 8}" + text[(at + recorded.Length)..]);
                break;
        }
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => TrainingRuns.Run(TrainingRuns.Options(2, 4) with { ResumeFrom = directory.Path }));
        Assert.Contains(expected, error.Message);
        Assert.Contains("rank-1-of-2.safetensors", error.Message);
    }

    [Fact]
    public async Task MismatchedCheckpoint_IsRefused_NamingEveryDifference()
    {
        using var directory = new TempDirectory();
        await TrainingRuns.Run(TrainingRuns.Options(2, 2) with { CheckpointDirectory = directory.Path });
        var other = TrainingRuns.Options(2, 4, TrainingRuns.Sgd) with { ResumeFrom = directory.Path, Model = TrainingRuns.Model with { Hidden = 16 } };
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => TrainingRuns.Run(other));
        Assert.Contains("hidden: the checkpoint has 14, the run asks for 16", error.Message);
        Assert.Contains("optimizer: the checkpoint has adamw, the run asks for sgd", error.Message);
    }

    [Fact]
    public async Task MetadataWithAnUnknownActivation_IsRefused()
    {
        using var directory = new TempDirectory();
        await TrainingRuns.Run(TrainingRuns.Options(2, 1) with { CheckpointDirectory = directory.Path });
        string metadata = Path.Combine(directory.Path, "step-00000001", "metadata.json"), text = File.ReadAllText(metadata);
        Assert.Contains("\"activation\": \"gelu\"", text);
        File.WriteAllText(metadata, text.Replace("\"activation\": \"gelu\"", "\"activation\": \"swish\""));
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => TrainingRuns.Run(TrainingRuns.Options(2, 2) with { ResumeFrom = directory.Path }));
        Assert.Contains("the checkpoint's activation is 'swish'; use gelu (erf, as PyTorch's F.gelu), gelu-tanh or relu", error.Message);
    }

    [Fact]
    public void SafetensorsReader_RefusesMalformedFiles()
    {
        using var directory = new TempDirectory();
        string path = directory.File("x.safetensors");
        using (var a = Tensor.FromArray([1, 2, 3, 4, 5, 6], 2, 3))
        using (var b = Tensor.VectorFrom([7, 8]))
            SafeTensorsFile.Write(path, [("a", a), ("b", b)], new Dictionary<string, string> { ["k"] = "v" });
        var (metadata, tensors) = SafeTensorsFile.Read(path);
        Assert.Equal("v", metadata["k"]);
        Assert.Equal([1f, 2, 3, 4, 5, 6], tensors[0].Value.ToArray());
        Assert.Equal("[2]", tensors[1].Value.ShapeText);
        foreach (var (_, t) in tensors) t.Dispose();

        void Refused(byte[] bytes, string expected)
        {
            File.WriteAllBytes(path, bytes);
            var error = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Read(path));
            Assert.Contains(expected, error.Message);
        }
        byte[] good = File.ReadAllBytes(directory.File("x.safetensors"));
        Refused(good[..5], "fewer than the 8");
        var huge = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(huge, 1UL << 40);
        Refused(huge, "over the");
        Refused(good[..^4], "truncated");
        Refused([.. good, 0, 0, 0, 0], "trailing bytes");
        Refused(WithHeader("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", 2), "only F32");
        Refused(WithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "needs 8 bytes");
        Refused(WithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8), "overlap or hole");
        Refused(WithHeader("{not json", 0), "not valid JSON");
    }

    [Fact]
    public async Task CrashWhileWriting_LeavesThePreviousCheckpointLoadable()
    {
        using var directory = new TempDirectory();
        await TrainingRuns.Run(TrainingRuns.Options(2, 2) with { CheckpointDirectory = directory.Path });
        string staging;
        using (var checkpoints = CheckpointDirectory.Open(directory.Path, 0, TrainingRuns.Model, TrainingRuns.Task, TrainingRuns.AdamW))
        {
            // Step 3's staging directory gets half of a rank file, then the writer dies (here: throws at the midpoint).
            staging = checkpoints.Begin(3);
            using var big = Tensor.Zeros(64, 64);
            Assert.Throws<IOException>(() => SafeTensorsFile.Write(Path.Combine(staging, "rank-0-of-2.safetensors"), [("a", big), ("b", big)],
                new Dictionary<string, string>(), midway: () => throw new IOException("power cut")));
        }
        Assert.True(File.Exists(Path.Combine(staging, "rank-0-of-2.safetensors.tmp")));
        Assert.False(File.Exists(Path.Combine(staging, "rank-0-of-2.safetensors")));

        using var checkpoint = Checkpoint.Load(directory.Path);
        Assert.Equal(2, checkpoint.Metadata.Step);
        var resumed = await TrainingRuns.Run(TrainingRuns.Options(2, 4) with { ResumeFrom = directory.Path, CheckpointDirectory = directory.Path });
        var uninterrupted = await TrainingRuns.Run(TrainingRuns.Options(2, 4));
        Assert.Equal(uninterrupted.WeightsSha256, resumed.WeightsSha256);
        Assert.Equal([2L, 4L], CheckpointDirectory.CompleteSteps(directory.Path));
        Assert.False(Directory.Exists(staging + "/../step-00000003"));
    }

    [Fact]
    public async Task Metadata_NamesSplitsAndDimensions_AsAPyTorchUserReadsThem()
    {
        using var directory = new TempDirectory();
        await TrainingRuns.Run(TrainingRuns.Options(2, 2) with { CheckpointDirectory = directory.Path });
        string path = Path.Combine(directory.Path, "step-00000002", CheckpointDirectory.MetadataFile);
        var json = JsonDocument.Parse(File.ReadAllText(path)).RootElement;
        Assert.Equal(["format", "version", "step", "tp", "model", "task", "optimizer", "tensors", "files"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("gelu", json.GetProperty("model").GetProperty("activation").GetString());
        var tensors = json.GetProperty("tensors").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        // fc1.weight [hidden, ffn] is split by output features: the shards concatenate along dim 1.
        Assert.Equal(("columns", 1), (tensors["blocks.0.fc1.weight"].GetProperty("axis").GetString(), tensors["blocks.0.fc1.weight"].GetProperty("split_dim").GetInt32()));
        Assert.Equal(("rows", 0), (tensors["blocks.0.fc2.weight"].GetProperty("axis").GetString(), tensors["blocks.0.fc2.weight"].GetProperty("split_dim").GetInt32()));
        Assert.Equal(JsonValueKind.Null, tensors["blocks.0.fc2.bias"].GetProperty("split_dim").ValueKind);
        Assert.All(tensors.Values, t => Assert.False(t.TryGetProperty("shard_axis", out _), "no enum written as a number"));
    }

    [Fact]
    public async Task MetadataInTheFirstLayout_WithItsExtraFields_StillLoads()
    {
        using var directory = new TempDirectory();
        await TrainingRuns.Run(TrainingRuns.Options(2, 2) with { CheckpointDirectory = directory.Path });
        string path = Path.Combine(directory.Path, "step-00000002", CheckpointDirectory.MetadataFile);
        // The first writer also wrote computed fields: each tensor's shard_axis as a number, and model_spec, task_spec, optimizer_spec.
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        foreach (var tensor in node["tensors"]!.AsArray()) { tensor!.AsObject().Remove("split_dim"); tensor.AsObject()["shard_axis"] = 0; }
        node["model_spec"] = System.Text.Json.Nodes.JsonNode.Parse("{\"layers\": 2, \"activation\": 0}");
        node["optimizer_spec"] = System.Text.Json.Nodes.JsonNode.Parse("{\"kind\": 1}");
        node["version"] = 1;
        File.WriteAllText(path, node.ToJsonString());
        using var checkpoint = Checkpoint.Load(directory.Path);
        Assert.Equal(2, checkpoint.Metadata.Step);
        // Version 1 wrote "gelu" for the tanh form.
        Assert.Equal(TrainingRuns.Model with { Activation = Activation.GeluTanh }, checkpoint.Metadata.ModelSpec);
    }

    private static byte[] WithHeader(string json, int dataBytes)
    {
        byte[] header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        return bytes;
    }
}
