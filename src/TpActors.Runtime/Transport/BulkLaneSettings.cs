namespace TpActors.Runtime.Transport;

/// <summary>How a process's bulk lane listens and connects (<c>tpactors.cluster.bulk</c>).</summary>
/// <param name="SendBuffer">The kernel's send buffer per connection, in bytes.</param>
/// <param name="ReceiveBuffer">The kernel's receive buffer per connection, in bytes.</param>
/// <param name="ConnectTimeout">How long a connection to a peer's lane may take to open.</param>
/// <param name="MaxBlobBytes">The largest blob a lane accepts; a larger one closes the connection.</param>
/// <param name="BlobTimeout">How long a received blob waits to be claimed (and a claim waits for its blob).</param>
/// <param name="Secret">The cluster's shared secret; a connection that does not present it is closed.</param>
/// <param name="RingBytes">The shared-memory ring of a connection to a process on this machine; 0: chunks go over TCP.</param>
public sealed record BulkLaneSettings(int SendBuffer, int ReceiveBuffer, TimeSpan ConnectTimeout, long MaxBlobBytes, TimeSpan BlobTimeout, string Secret, long RingBytes = 0)
{
    /// <summary>How long an accepted connection has to prove it holds the secret before it is closed (<c>handshake-timeout</c>).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Accepted connections whose proof is still under way, at most; one more is closed at once (<c>max-pending-handshakes</c>).</summary>
    public int MaxPendingHandshakes { get; init; } = 64;

    /// <summary>The largest shared-memory ring a lane maps for a peer.</summary>
    public const long MaxRingBytes = 1L << 30;

    /// <summary>The defaults of reference.conf.</summary>
    public static BulkLaneSettings Default { get; } = new(4 << 20, 4 << 20, TimeSpan.FromSeconds(5), 1L << 32, TimeSpan.FromSeconds(60), "", 64 << 20);
}
