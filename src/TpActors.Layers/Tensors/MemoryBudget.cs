using TpActors.Runtime.Configuration;
using System.Globalization;

namespace TpActors.Layers.Tensors;

/// <summary>
/// What a run's tensors will take, added up before any rank starts, so sizes that cannot be held are refused with the
/// bytes they need instead of failing midway (an overflow, an out-of-memory, a rank retried for an allocation that can
/// never succeed). Each entry is a shape and how many tensors of it the run holds at once (copies, gradients, optimizer
/// state, snapshots, float64 references counted as two); each is rounded up as the tensor pool rounds it.
/// </summary>
public sealed class MemoryBudget(string what)
{
    /// <summary>The most elements one tensor can hold: a .NET array of floats, less the slack kept for alignment.</summary>
    public const long MaxElements = 0x7FFFFFC7L - 16;

    private readonly List<(string Name, long Rows, long Cols, double Count)> _tensors = [];

    /// <summary>Adds <paramref name="count"/> tensors of shape [<paramref name="rows"/>, <paramref name="cols"/>].</summary>
    public MemoryBudget Add(string name, long rows, long cols, double count = 1)
    {
        _tensors.Add((name, rows, cols, count));
        return this;
    }

    /// <summary>The bytes all the entries take, as the tensor pool allocates them.</summary>
    public double Bytes => _tensors.Sum(t => t.Count * Capacity(t.Rows * t.Cols) * sizeof(float));

    /// <summary>The memory this process may use (physical memory, or the container's limit).</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Throws <see cref="ArgumentException"/> when one tensor is too large for an array, or all of them for this machine.</summary>
    public void Check()
    {
        foreach (var (name, rows, cols, _) in _tensors)
            if (rows * cols > MaxElements)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{what}: {name} would be [{rows}, {cols}], {rows * cols:N0} elements; one tensor holds at most {MaxElements:N0}."));
        double bytes = Bytes;
        long available = AvailableBytes;
        if (bytes > available)
        {
            var largest = _tensors.MaxBy(t => t.Count * t.Rows * t.Cols);
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{what} need about {ConfigUnits.FormatBytesRounded(bytes)} of memory (each {largest.Name} [{largest.Rows}, {largest.Cols}] takes {ConfigUnits.FormatBytesRounded(Capacity(largest.Rows * largest.Cols) * 4.0)}); " +
                $"this machine has {ConfigUnits.FormatBytesRounded(available)}. Use smaller sizes."));
        }
    }

    private static double Capacity(long elements) => elements is > 0 and <= 1 << 30 ? SizeClassPool<object>.CapacityFor((int)elements) : elements;
}
