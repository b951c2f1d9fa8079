namespace TpActors.Layers.Tensors;

/// <summary>The element-wise nonlinearity between the two linears of an MLP.</summary>
public enum Activation
{
    /// <summary>GeLU, exact (erf) form, PyTorch's default <c>F.gelu</c>: x·Φ(x) = 0.5·x·(1 + erf(x/√2)).</summary>
    Gelu,

    /// <summary>ReLU: max(x, 0); its derivative at 0 is taken as 0.</summary>
    Relu,

    /// <summary>GeLU, tanh approximation (<c>F.gelu(x, approximate="tanh")</c>, GPT-2's): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))); within 2e-4–1e-3 of the erf form.</summary>
    GeluTanh,
}
