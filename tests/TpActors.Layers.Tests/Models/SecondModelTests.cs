using System.Text.Json;
using TpActors.Layers.Tests.Training;

namespace TpActors.Layers.Tests.Models;

// A model other than the MLP stack goes through the same supervisor, snapshots, checkpoints and resume, by its spec alone.
public sealed class SecondModelTests
{
    static SecondModelTests() => LinearSpec.Register();

    private static TrainingOptions Options(int tp, long steps) => TrainingRuns.Options(tp, steps) with { Model = new LinearSpec(Width: 7) };

    [Fact]
    public async Task ALinearModel_Trains_ThroughTheSupervisor()
    {
        var result = await TrainingRuns.Run(Options(2, 60) with { Optimizer = TrainingRuns.AdamW with { LearningRate = 0.05f } });

        Assert.Equal(["linear.bias", "linear.bias.exp_avg", "linear.bias.exp_avg_sq", "linear.weight", "linear.weight.exp_avg", "linear.weight.exp_avg_sq"],
            result.FinalState!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([7, 7], result.FinalState["linear.weight"].Shape);
        Assert.True(result.Losses[^1] < 0.2 * result.Losses[0], $"loss {result.Losses[0]} → {result.Losses[^1]}");
    }

    [Fact]
    public async Task ALinearModel_IsCheckpointed_AndResumed_BitForBit_AlsoAtAnotherTpSize()
    {
        var uninterrupted = await TrainingRuns.Run(Options(2, 8));
        using var directory = new TempDirectory();
        await TrainingRuns.Run(Options(2, 4) with { CheckpointDirectory = directory.Path, CheckpointEvery = 2 });

        var metadata = CheckpointMetadata.Read(Path.Combine(directory.Path, "step-00000004", "metadata.json"));
        Assert.Equal(new LinearSpec(7), metadata.ModelSpec);
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory.Path, "step-00000004", "metadata.json"))))
            Assert.Equal("test-linear", json.RootElement.GetProperty("model").GetProperty("kind").GetString());

        var resumed = await TrainingRuns.Run(Options(2, 8) with { ResumeFrom = directory.Path });
        Assert.Equal(4, resumed.StartStep);
        Assert.Equal(uninterrupted.WeightsSha256, resumed.WeightsSha256);
        Assert.Equal(uninterrupted.Losses.Skip(4), resumed.Losses);

        // Resharded onto three ranks: the same model, continued.
        var resharded = await TrainingRuns.Run(Options(3, 8) with { ResumeFrom = directory.Path });
        Assert.Equal(4, resharded.StartStep);
        Assert.True(TrainingRuns.MaxDifference(uninterrupted.FinalState!, resharded.FinalState!) < 1e-5f);
    }

    [Fact]
    public async Task AResumeWithAnotherModel_IsRefused_NamingTheKinds()
    {
        using var directory = new TempDirectory();
        await TrainingRuns.Run(Options(2, 2) with { CheckpointDirectory = directory.Path });

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => TrainingRuns.Run(TrainingRuns.Options(2, 4) with { ResumeFrom = directory.Path }));
        Assert.Contains("model: the checkpoint has test-linear, the run asks for mlp-stack", error.Message);
    }

    [Fact]
    public void ASpec_RoundTripsThroughJson_ByItsKind()
    {
        var json = ModelSpecJson.ToJson(new LinearSpec(5, Bias: false));
        Assert.Equal("""{"kind":"test-linear","width":5,"bias":false}""", json);
        Assert.Equal(new LinearSpec(5, Bias: false), ModelSpecJson.FromJson(json));
        Assert.Equal(new MlpStackSpec(2, 3, 4), ModelSpecJson.FromJson(ModelSpecJson.ToJson(new MlpStackSpec(2, 3, 4))));
        Assert.Throws<JsonException>(() => ModelSpecJson.FromJson("""{"kind":"no-such-model"}"""));
    }
}
