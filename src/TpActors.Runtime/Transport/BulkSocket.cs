using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace TpActors.Runtime.Transport;

/// <summary>The socket plumbing both ends of a bulk connection share: options, exact reads, the secret's digest, addresses.</summary>
internal static class BulkSocket
{
    /// <summary>A TCP socket set up for bulk frames: no Nagle delay, the configured kernel buffers.</summary>
    public static Socket Create(AddressFamily family, BulkLaneSettings settings)
    {
        var socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.SendBufferSize = settings.SendBuffer;
        socket.ReceiveBufferSize = settings.ReceiveBuffer;
        return socket;
    }

    /// <summary>Fills <paramref name="into"/> from the socket; false when the peer closed the connection first.</summary>
    public static bool ReadExactly(Socket socket, Span<byte> into)
    {
        while (into.Length > 0)
        {
            int read = socket.Receive(into, SocketFlags.None);
            if (read == 0) return false;
            into = into[read..];
        }
        return true;
    }

    /// <summary>Fills <paramref name="into"/> from the socket without holding a thread; false when the peer closed the connection first.</summary>
    public static async ValueTask<bool> ReadExactlyAsync(Socket socket, Memory<byte> into, CancellationToken cancel)
    {
        while (into.Length > 0)
        {
            int read = await socket.ReceiveAsync(into, SocketFlags.None, cancel).ConfigureAwait(false);
            if (read == 0) return false;
            into = into[read..];
        }
        return true;
    }

    /// <summary>Sends all of <paramref name="bytes"/> without holding a thread.</summary>
    public static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken cancel)
    {
        while (bytes.Length > 0) bytes = bytes[await socket.SendAsync(bytes, SocketFlags.None, cancel).ConfigureAwait(false)..];
    }

    /// <summary>Sends all of <paramref name="bytes"/>.</summary>
    public static void SendAll(Socket socket, ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0) bytes = bytes[socket.Send(bytes, SocketFlags.None)..];
    }

    /// <summary>The endpoint of "host:port" (see <see cref="Cluster.NodeAddress"/>), resolving a host name to its IPv4 address.</summary>
    /// <exception cref="ArgumentException">Not host:port.</exception>
    /// <exception cref="FormatException">The host has no IPv4 address.</exception>
    public static IPEndPoint Parse(string address)
    {
        var node = Cluster.NodeAddress.Parse(address, "a bulk-lane address");
        if (!IPAddress.TryParse(node.Host, out var ip))
            ip = Dns.GetHostAddresses(node.Host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? throw new FormatException($"The host of '{address}' has no IPv4 address.");
        return new IPEndPoint(ip, node.Port);
    }

    /// <summary>"host:port" of <paramref name="endpoint"/>.</summary>
    public static string Format(IPEndPoint endpoint) =>
        endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]:{endpoint.Port}" : $"{endpoint.Address}:{endpoint.Port}";
}
