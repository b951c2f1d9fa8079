using TpActors.Layers.Tensors;
using TpActors.Layers.Sharding;

namespace TpActors.Layers.Parallel;

/// <summary>A layer's parameter shards with their gradients: registration, zeroing and disposal, shared by the parallel linears.</summary>
public abstract class ShardedParameters(IBackend backend) : IDisposable
{
    private readonly List<ParameterShard> _parameters = [];

    /// <summary>This rank's shards of the parameters and their gradients.</summary>
    public IReadOnlyList<ParameterShard> Parameters => _parameters;

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGradients()
    {
        foreach (var p in _parameters) backend.Zero(p.Gradient);
    }

    /// <inheritdoc/>
    public virtual void Dispose()
    {
        foreach (var p in _parameters) { p.Value.Dispose(); p.Gradient.Dispose(); }
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Registers <paramref name="value"/>, filled with the block at (<paramref name="rowStart"/>, <paramref name="colStart"/>) of the master
    /// tensor of stream <paramref name="name"/> (<paramref name="fullCols"/> wide, uniform in ±<paramref name="bound"/>), and a zero gradient.
    /// </summary>
    protected Tensor AddParameter(string name, Tensor value, ShardAxis axis, long seed, int rowStart, int colStart, int fullCols, float bound)
    {
        MasterWeights.FillUniform(value, seed, name, rowStart, colStart, fullCols, bound);
        return Register(name, value, axis);
    }

    /// <summary>Registers <paramref name="value"/>, filled with <paramref name="constant"/> on every rank, and a zero gradient.</summary>
    protected Tensor AddConstantParameter(string name, Tensor value, ShardAxis axis, float constant)
    {
        MasterWeights.FillConstant(value, constant);
        return Register(name, value, axis);
    }

    private Tensor Register(string name, Tensor value, ShardAxis axis)
    {
        _parameters.Add(new ParameterShard(name, value, value.Rank == 1 ? Tensor.ZerosVector(value.Cols) : Tensor.Zeros(value.Rows, value.Cols), axis));
        return value;
    }

    /// <summary>The gradient of parameter <paramref name="index"/> (in the order added).</summary>
    protected Tensor Gradient(int index) => _parameters[index].Gradient;
}
