using TpActors.Layers.Data;
using TpActors.Layers.Parallel;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Models;

/// <summary>
/// What model a run trains: one record per kind of model (<see cref="MlpStackSpec"/>, …), each registered under its
/// <see cref="Kind"/> with <see cref="ModelKinds"/>. Training, checkpoints, the protocol codec, the memory estimate and the
/// command line read a model through its spec: its fields (the record's own properties, written as JSON in checkpoint
/// metadata and messages, see <see cref="ModelSpecJson"/>), the model it builds, the batches it trains on and its loss.
/// Adding a model is a spec, a model class, a batch source and a <see cref="ModelKinds.Register{TSpec}"/>.
/// </summary>
public abstract record ModelSpec
{
    /// <summary>The kind of model, as checkpoints and messages name it, e.g. "mlp-stack".</summary>
    public abstract string Kind { get; }

    /// <summary>Features of an input row and of a target row: what its batch source makes.</summary>
    public abstract int Features { get; }

    /// <summary>Parameters of the full model.</summary>
    public abstract long ParameterCount { get; }

    /// <summary>The sizes its weights' shapes follow from, in words, e.g. "hidden 256, ffn 1024".</summary>
    public abstract string Widths { get; }

    /// <summary>Its sizes in words, e.g. "2 layers, hidden 256, ffn 1024".</summary>
    public abstract string Sizes { get; }

    /// <summary>All of it in words, e.g. "2 layers, hidden 256, ffn 1024, gelu, bias".</summary>
    public abstract string Summary { get; }

    /// <summary>The loss it trains with.</summary>
    public virtual ILoss Loss => MseLoss.Instance;

    /// <summary>Refuses sizes that cannot make a model, naming the one that is wrong.</summary>
    /// <exception cref="ArgumentException">A size is out of range.</exception>
    public abstract void Validate();

    /// <summary>
    /// The blocks the tensor named <paramref name="tensor"/> (or one of its optimizer slots) is split over the ranks in, along
    /// its shard axis: a head's width for the attention's weights split by heads, else 1 (any share of rows or columns).
    /// </summary>
    public virtual int ShardUnit(string tensor) => 1;

    /// <summary>
    /// Whether the parameter named <paramref name="parameter"/> is a linear layer's weight, kept here as A [in, out] (Y = X·A)
    /// where PyTorch's nn.Linear keeps [out, in]: an export transposes it.
    /// </summary>
    public virtual bool IsLinearWeight(string parameter) => false;

    /// <summary>Whether weight decay applies to the parameter named <paramref name="parameter"/> (every one, unless a model says otherwise).</summary>
    public virtual bool Decays(string parameter) => true;

    /// <summary>Refuses a model that cannot split over <paramref name="tp"/> ranks, naming the numbers (the MLP stack splits over any).</summary>
    /// <exception cref="ArgumentException">The sizes do not split.</exception>
    public virtual void ValidateSplit(int tp)
    {
    }

    /// <summary>
    /// The full shape of the weight named <paramref name="tensor"/> (or of one of its optimizer slots, named after it), as
    /// this spec makes it; null for a tensor whose shape it does not fix (a bias) or does not know.
    /// </summary>
    public virtual int[]? WeightShape(string tensor) => null;

    /// <summary>This rank's shards of the model, from the master weights of <paramref name="seed"/>.</summary>
    public abstract IModel Build(ParallelContext context, long seed);

    /// <summary>Where the model's batches come from, for <paramref name="task"/>'s batch size and seed.</summary>
    public virtual IBatchSource Batches(TaskSpec task) => new SyntheticTask(task, Features);

    /// <summary>
    /// Adds to <paramref name="budget"/> what a rank holds for this model at batch <paramref name="task"/>.Batch: each weight
    /// <paramref name="perWeight"/> times (itself, gradient, optimizer slots, snapshots, staging), the activations its
    /// forward keeps, and its batch source's own tensors.
    /// </summary>
    public abstract void Budget(MemoryBudget budget, double perWeight, TaskSpec task);

    /// <summary>This spec as read from a checkpoint of layout <paramref name="version"/>: what an older layout meant, in today's terms.</summary>
    public virtual ModelSpec FromVersion(int version) => this;
}
