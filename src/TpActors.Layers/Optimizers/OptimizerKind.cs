namespace TpActors.Layers.Optimizers;

/// <summary>Which update rule trains the model.</summary>
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent with momentum (PyTorch's SGD: <c>v = μv + g</c>, <c>w −= lr·v</c>).</summary>
    Sgd,

    /// <summary>Adam with decoupled weight decay (PyTorch's AdamW).</summary>
    AdamW,
}
