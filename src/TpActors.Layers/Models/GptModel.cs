using TpActors.Layers.Parallel;
using TpActors.Layers.Sharding;
using TpActors.Layers.Tensors;

namespace TpActors.Layers.Models;

/// <summary>A <see cref="ParallelGpt"/> as a trained model: input [N, 2] (id, target), output each token's loss [N, 1].</summary>
public sealed class GptModel(ParallelGpt gpt) : IModel
{
    /// <summary>The GPT on this rank.</summary>
    public ParallelGpt Gpt { get; } = gpt;

    /// <inheritdoc/>
    public IReadOnlyList<ParameterShard> Parameters { get; } = gpt.Parameters;

    /// <inheritdoc/>
    public Tensor Forward(Tensor input) => Gpt.Forward(input);

    /// <inheritdoc/>
    public Tensor Backward(Tensor gradOutput) => Gpt.Backward(gradOutput);

    /// <inheritdoc/>
    public void ZeroGradients() => Gpt.ZeroGradients();

    /// <inheritdoc/>
    public void ReleaseSaved() => Gpt.ReleaseSaved();

    /// <inheritdoc/>
    public void Dispose() => Gpt.Dispose();
}
