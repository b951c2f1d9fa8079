namespace TpActors.Layers.Tensors;

/// <summary>The element-wise nonlinearity between the two linears of an MLP.</summary>
public enum Activation
{
    /// <summary>GeLU, tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    Gelu,

    /// <summary>ReLU: max(x, 0); its derivative at 0 is taken as 0.</summary>
    Relu,
}
