namespace TpActors.Layers.Tests.Training;

/// <summary>Small training runs for tests: sizes that do not divide by 2 or 3, the managed backend, short fault timeouts.</summary>
public static class TrainingRuns
{
    public static readonly MlpStackSpec Model = new(Layers: 2, Hidden: 14, Ffn: 22);

    public static readonly TaskSpec Task = new(Batch: 6, Seed: 7, TeacherWidth: 8);

    public static readonly OptimizerSpec AdamW = new(OptimizerKind.AdamW, 0.01f, 0.9f, 0.9f, 0.999f, 1e-8f, 0.01f);

    public static readonly OptimizerSpec Sgd = new(OptimizerKind.Sgd, 0.05f, 0.9f, 0.9f, 0.999f, 1e-8f, 0.001f);

    /// <summary>
    /// A rank stuck in a collective is named after 1 s, a silent rank outside one after the 2 s phase timeout. Runs with hangs
    /// go through the simulation (<see cref="Simulation.TensorParallelTestKit"/>), where these are virtual seconds; healthy
    /// phases of these sizes take well under a millisecond, so neither fires on them in a plain run.
    /// </summary>
    public static readonly TrainingSettings Settings = TrainingSettings.Default with
    {
        PhaseTimeout = TimeSpan.FromSeconds(2),
        CollectiveTimeout = TimeSpan.FromSeconds(1),
        MaxRetries = 100,
        RetryWindow = TimeSpan.FromMinutes(10),
    };

    /// <summary>Runs <paramref name="options"/> in a fresh actor system.</summary>
    public static async Task<TrainingResult> Run(TrainingOptions options)
    {
        var system = ActorSystem.Create("training-tests");
        try
        {
            return await TrainingRun.RunAsync(system, options);
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>The largest absolute difference between two full states over the tensors of <paramref name="expected"/>.</summary>
    public static float MaxDifference(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual) =>
        expected.Max(e => e.Value.ToArray().Zip(actual[e.Key].ToArray()).Max(p => MathF.Abs(p.First - p.Second)));

    /// <summary>Whether two full states are bit-identical, tensor by tensor.</summary>
    public static bool BitIdentical(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual) =>
        expected.Count == actual.Count && expected.All(e => actual.TryGetValue(e.Key, out var a) && e.Value.ShapeText == a.ShapeText &&
            e.Value.ToArray().Select(BitConverter.SingleToInt32Bits).SequenceEqual(a.ToArray().Select(BitConverter.SingleToInt32Bits)));

    public static TrainingOptions Options(int tp, long steps, OptimizerSpec? optimizer = null, params FaultSpec[] faults) =>
        new(tp, Model, Task, optimizer ?? AdamW, steps)
        {
            Faults = faults,
            Settings = Settings,
            Ranks = RankGroups.Settings(chunkFloats: 16, timeout: Settings.CollectiveTimeout),
            KeepFinalState = true,
        };
}
