using TpActors.Layers.Tensors;

namespace TpActors.Layers.Sharding;

/// <summary>A rank's shard of one parameter and of its gradient.</summary>
/// <param name="Name">The parameter's name within its layer, e.g. "fc1.weight".</param>
/// <param name="Value">The shard's values.</param>
/// <param name="Gradient">The gradient accumulated by backward passes, same shape.</param>
/// <param name="Axis">How the full parameter is split.</param>
public sealed record ParameterShard(string Name, Tensor Value, Tensor Gradient, ShardAxis Axis);
