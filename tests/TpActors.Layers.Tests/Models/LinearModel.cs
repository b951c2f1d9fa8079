namespace TpActors.Layers.Tests.Models;

// A second model, for tests only: one column-parallel linear layer (output gathered) learning a fixed linear map. It is
// what adding a model takes: a spec, a model class, a batch source, and its registration (LinearSpec.Register).

/// <summary>One linear layer, <paramref name="Width"/> in and out, trained with MSE on <see cref="LinearTeacher"/>'s batches.</summary>
public sealed record LinearSpec(int Width, bool Bias = true) : ModelSpec
{
    public const string KindName = "test-linear";

    /// <summary>Registers the kind, so that checkpoints and messages can name it (idempotent).</summary>
    public static void Register() => ModelKinds.Register<LinearSpec>(KindName);

    public override string Kind => KindName;

    public override int Features => Width;

    public override long ParameterCount => (long)Width * Width + (Bias ? Width : 0);

    public override string Widths => $"width {Width}";

    public override string Sizes => $"1 linear layer, {Widths}";

    public override string Summary => $"{Sizes}{(Bias ? ", bias" : "")}";

    public override void Validate()
    {
        if (Width < 1) throw new ArgumentException($"width is {Width}; a linear layer needs at least 1.");
    }

    public override int[]? WeightShape(string tensor) => tensor.StartsWith("linear.weight", StringComparison.Ordinal) ? [Width, Width] : null;

    public override IModel Build(ParallelContext context, long seed) => new LinearModel(context, this, seed);

    public override IBatchSource Batches(TaskSpec task) => new LinearTeacher(task, Width);

    public override void Budget(MemoryBudget budget, double perWeight, TaskSpec task) => budget
        .Add("linear.weight", Width, Width, perWeight)
        .Add("the activations", task.Batch, Width, 4)
        .Add("the teacher", Width, Width, 1);
}

/// <summary>The linear model on one rank: a <see cref="ColumnParallelLinear"/> whose output is gathered, so it is whole on every rank.</summary>
public sealed class LinearModel(ParallelContext context, LinearSpec spec, long seed) : IModel
{
    private readonly ColumnParallelLinear _linear = new(context, spec.Width, spec.Width, spec.Bias, gatherOutput: true, seed, "linear");

    public IReadOnlyList<ParameterShard> Parameters => _linear.Parameters;

    public Tensor Forward(Tensor input) => _linear.Forward(input);

    public Tensor Backward(Tensor gradOutput) => _linear.Backward(gradOutput);

    public void ZeroGradients() => _linear.ZeroGradients();

    public void ReleaseSaved()
    {
        // The layer keeps only a reference to the caller's input: nothing of its own to drop.
    }

    public void Dispose() => _linear.Dispose();
}

/// <summary>Batches for the linear model: X uniform in [−1, 1), T = X·W* for a fixed W* of the task's seed; a pure function of the step.</summary>
public sealed class LinearTeacher : IBatchSource
{
    private readonly TaskSpec _task;
    private readonly int _width;
    private readonly Tensor _teacher;
    private readonly IBackend _backend = CpuBackend.Create(BackendKind.Managed, 1);

    public LinearTeacher(TaskSpec task, int width)
    {
        (_task, _width) = (task, width);
        _teacher = Tensor.Uninitialized(width, width);
        MasterWeights.FillUniform(_teacher, task.Seed, "linear-teacher", 0, 0, width, 1f);
    }

    public (Tensor Inputs, Tensor Targets) Batch(long step) => Draw("linear-data", step);

    public (Tensor Inputs, Tensor Targets) ValidationBatch(int index) => Draw("linear-data-validation", index);

    private (Tensor Inputs, Tensor Targets) Draw(string stream, long n)
    {
        var inputs = Tensor.Uninitialized(_task.Batch, _width);
        MasterWeights.FillUniform(inputs, _task.Seed, stream, (n - 1) * _task.Batch, 0, _width, 1f);
        var targets = Tensor.Zeros(_task.Batch, _width);
        _backend.Gemm(inputs, false, _teacher, false, targets);
        return (inputs, targets);
    }

    public void Dispose() => _teacher.Dispose();
}
