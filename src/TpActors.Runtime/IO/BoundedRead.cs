namespace TpActors.Runtime.IO;

/// <summary>
/// Reads a stream to its end without trusting it to end: a device (/dev/zero), a pipe or a file that grows while it is
/// read is cut off one byte past the limit, so no source makes a reader take unbounded memory.
/// </summary>
public static class BoundedRead
{
    /// <summary>The bytes of <paramref name="stream"/>, positioned at 0, or null when it holds more than <paramref name="limit"/>.</summary>
    public static MemoryStream? ReadAll(Stream stream, long limit)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var bytes = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        // Ask for at most one byte past the limit (written to stay clear of overflow when the limit is long.MaxValue).
        while ((read = stream.Read(chunk, 0, limit - bytes.Length < chunk.Length ? (int)(limit - bytes.Length) + 1 : chunk.Length)) > 0)
        {
            bytes.Write(chunk, 0, read);
            if (bytes.Length > limit) return null;
        }
        bytes.Position = 0;
        return bytes;
    }
}
