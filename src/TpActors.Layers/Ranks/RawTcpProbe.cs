using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TpActors.Layers.Ranks;

/// <summary>
/// A raw single-stream TCP transfer between two processes, the baseline the bulk lane is held to: a sink accepts one
/// connection and acknowledges every transfer with one byte; the sender times each transfer from its first byte to the
/// acknowledgement. Same kernel buffers and TCP_NODELAY as the lane.
/// </summary>
public static class RawTcpProbe
{
    /// <summary>Opens a sink on <paramref name="host"/> for <paramref name="transfers"/> transfers of <paramref name="bytes"/>; its address, host:port.</summary>
    public static string OpenSink(string host, long bytes, int transfers, int bufferBytes)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Parse(host), 0));
        listener.Listen(1);
        var address = $"{host}:{((IPEndPoint)listener.LocalEndPoint!).Port}";
        new Thread(() =>
        {
            using (listener)
            {
                listener.ReceiveTimeout = 60_000;
                using var socket = listener.Accept();
                socket.ReceiveBufferSize = bufferBytes;
                socket.NoDelay = true;
                var buffer = new byte[Math.Min(bytes, 1 << 20)];
                for (int t = 0; t < transfers; t++)
                {
                    long left = bytes;
                    while (left > 0)
                    {
                        int read = socket.Receive(buffer, 0, (int)Math.Min(left, buffer.Length), SocketFlags.None);
                        if (read == 0) return;
                        left -= read;
                    }
                    socket.Send([1]);
                }
            }
        }) { IsBackground = true, Name = "raw-tcp sink" }.Start();
        return address;
    }

    /// <summary>Sends <paramref name="transfers"/> transfers of <paramref name="bytes"/> to a sink; seconds the last <paramref name="timed"/> of them took in all.</summary>
    public static double Send(string address, long bytes, int transfers, int timed, int bufferBytes)
    {
        int colon = address.LastIndexOf(':');
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendBufferSize = bufferBytes };
        socket.Connect(IPAddress.Parse(address[..colon]), int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        var payload = new byte[bytes];
        Array.Fill(payload, (byte)1);
        var ack = new byte[1];
        double seconds = 0;
        for (int t = 0; t < transfers; t++)
        {
            long start = Stopwatch.GetTimestamp();
            socket.Send(payload);
            if (socket.Receive(ack) != 1) throw new IOException("The raw TCP sink closed early.");
            if (t >= transfers - timed) seconds += Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return seconds;
    }
}
