using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace TpActors.Runtime.Transport;

/// <summary>
/// How a bulk connection proves both ends hold the cluster's secret, before a frame is read: an HMAC-SHA256
/// challenge–response, keyed by a digest of the secret (the secret, and the key, never travel).
/// <code>
/// lane → client   nonce_lane (32 B)
/// client → lane   hello (16 B) · nonce_client (32 B) · HMAC(key, "client" · nonce_lane · nonce_client · hello)
/// lane → client   HMAC(key, "lane" · nonce_client · nonce_lane)
/// </code>
/// A proof is good for one connection only (both nonces are fresh), so one overheard cannot be replayed; a client
/// without the secret is cut off after its greeting, and a lane without it is refused by the client.
/// </summary>
internal static class BulkHandshake
{
    private const int NonceBytes = 32;
    private const int ProofBytes = 32;

    /// <summary>Bytes a client sends: hello, nonce, proof.</summary>
    public const int GreetingBytes = BulkHello.Size + NonceBytes + ProofBytes;

    /// <summary>The HMAC key of <paramref name="secret"/>.</summary>
    public static byte[] Key(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes("tpactors-bulk-lane\n" + secret));

    /// <summary>The client's side: reads the lane's challenge, greets with <paramref name="hello"/> and its proof, and checks the lane's.</summary>
    /// <exception cref="IOException">The lane closed, did not answer within the socket's receive timeout, or does not hold the secret.</exception>
    public static void Greet(Socket socket, BulkHello hello, byte[] key, string lane)
    {
        Span<byte> laneNonce = stackalloc byte[NonceBytes];
        if (!BulkSocket.ReadExactly(socket, laneNonce)) throw new IOException($"The bulk lane at {lane} closed the connection before its challenge.");
        Span<byte> greeting = stackalloc byte[GreetingBytes];
        hello.Write(greeting);
        var clientNonce = greeting.Slice(BulkHello.Size, NonceBytes);
        RandomNumberGenerator.Fill(clientNonce);
        Proof(key, "client", laneNonce, clientNonce, greeting[..BulkHello.Size], greeting[(BulkHello.Size + NonceBytes)..]);
        BulkSocket.SendAll(socket, greeting);
        Span<byte> answer = stackalloc byte[ProofBytes], expected = stackalloc byte[ProofBytes];
        if (!BulkSocket.ReadExactly(socket, answer)) throw new IOException($"The bulk lane at {lane} refused this process's proof of the cluster's secret (tpactors.cluster.secret differs).");
        Proof(key, "lane", clientNonce, laneNonce, [], expected);
        if (!CryptographicOperations.FixedTimeEquals(answer, expected))
            throw new IOException($"The bulk lane at {lane} does not hold the cluster's secret (tpactors.cluster.secret differs): it is not this cluster's.");
    }

    /// <summary>
    /// The lane's side: challenges, checks the client's proof, proves itself; the client's hello. It holds no thread while
    /// it waits (a stranger that trickles its greeting costs a few hundred bytes, not a thread), and gives up when
    /// <paramref name="cancel"/> fires.
    /// </summary>
    /// <exception cref="InvalidDataException">The client closed, is no bulk-lane client, or does not hold the secret.</exception>
    /// <exception cref="OperationCanceledException">The client did not finish its greeting in time.</exception>
    public static async Task<BulkHello> AcceptAsync(Socket socket, byte[] key, CancellationToken cancel)
    {
        var buffer = new byte[NonceBytes + GreetingBytes + ProofBytes]; // the challenge, the greeting, the answer
        var laneNonce = buffer.AsMemory(0, NonceBytes);
        var greeting = buffer.AsMemory(NonceBytes, GreetingBytes);
        var answer = buffer.AsMemory(NonceBytes + GreetingBytes, ProofBytes);
        RandomNumberGenerator.Fill(laneNonce.Span);
        await BulkSocket.SendAllAsync(socket, laneNonce, cancel).ConfigureAwait(false);
        if (!await BulkSocket.ReadExactlyAsync(socket, greeting, cancel).ConfigureAwait(false)) throw new InvalidDataException("it closed the connection inside its greeting");
        var hello = Check(key, laneNonce.Span, greeting.Span, answer.Span);
        await BulkSocket.SendAllAsync(socket, answer, cancel).ConfigureAwait(false);
        return hello;
    }

    // Checks the client's greeting against the lane's nonce and writes the lane's answer; the client's hello.
    private static BulkHello Check(byte[] key, ReadOnlySpan<byte> laneNonce, ReadOnlySpan<byte> greeting, Span<byte> answer)
    {
        var hello = BulkHello.Read(greeting);
        var clientNonce = greeting.Slice(BulkHello.Size, NonceBytes);
        Span<byte> expected = stackalloc byte[ProofBytes];
        Proof(key, "client", laneNonce, clientNonce, greeting[..BulkHello.Size], expected);
        if (!CryptographicOperations.FixedTimeEquals(greeting[(BulkHello.Size + NonceBytes)..], expected))
            throw new InvalidDataException("it did not prove it holds the cluster's secret (tpactors.cluster.secret)");
        Proof(key, "lane", clientNonce, laneNonce, [], answer);
        return hello;
    }

    // HMAC-SHA256(key, role · first · second · extra) into proof.
    private static void Proof(byte[] key, string role, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> extra, Span<byte> proof)
    {
        Span<byte> message = stackalloc byte[8 + NonceBytes * 2 + BulkHello.Size];
        int length = Encoding.ASCII.GetBytes(role, message);
        first.CopyTo(message[length..]);
        second.CopyTo(message[(length += first.Length)..]);
        extra.CopyTo(message[(length += second.Length)..]);
        length += extra.Length;
        HMACSHA256.HashData(key, message[..length], proof);
    }
}
