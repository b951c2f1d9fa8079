using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace TpActors.Runtime.Transport;

/// <summary>The socket plumbing both ends of a bulk connection share: options, exact reads, the secret's digest, addresses.</summary>
internal static class BulkSocket
{
    /// <summary>Bytes of the secret's digest that follow a hello.</summary>
    public const int SecretBytes = 32;

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

    /// <summary>Sends all of <paramref name="bytes"/>.</summary>
    public static void SendAll(Socket socket, ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0) bytes = bytes[socket.Send(bytes, SocketFlags.None)..];
    }

    /// <summary>What a connection presents for <paramref name="secret"/>: its SHA-256, so the secret itself never travels.</summary>
    public static byte[] Digest(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes("tpactors-bulk-lane\n" + secret));

    /// <summary>Parses "host:port" (an IPv6 host in brackets), resolving a host name.</summary>
    /// <exception cref="FormatException">Not host:port.</exception>
    public static IPEndPoint Parse(string address)
    {
        int colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), out int port) || port is < 0 or > 65535)
            throw new FormatException($"'{address}' is not HOST:PORT.");
        string host = address[..colon].Trim('[', ']');
        if (!IPAddress.TryParse(host, out var ip))
            ip = Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? throw new FormatException($"The host of '{address}' has no IPv4 address.");
        return new IPEndPoint(ip, port);
    }

    /// <summary>"host:port" of <paramref name="endpoint"/>.</summary>
    public static string Format(IPEndPoint endpoint) =>
        endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]:{endpoint.Port}" : $"{endpoint.Address}:{endpoint.Port}";
}
