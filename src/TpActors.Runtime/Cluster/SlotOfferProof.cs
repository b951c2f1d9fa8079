using System.Security.Cryptography;
using System.Text;
using TpActors.Runtime.Transport;

namespace TpActors.Runtime.Cluster;

/// <summary>
/// How a host proves, in its <see cref="SlotOffer"/>, that it holds the cluster's secret: HMAC-SHA256, keyed by the
/// secret's digest (as the bulk lane's), over the driver's fresh challenge and the host's own address. Without the secret
/// an offer cannot be made to pass, and one overheard cannot be replayed for another ask or from another host; a host
/// whose offer fails is never leased a slot, so it never serves a job.
/// </summary>
public static class SlotOfferProof
{
    /// <summary>A fresh challenge for one ask (32 random bytes, hex).</summary>
    public static string NewChallenge() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>The proof that the host at <paramref name="host"/> (host:port) holds <paramref name="secret"/>, for <paramref name="challenge"/>.</summary>
    public static string Prove(string secret, string challenge, string host) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(BulkHandshake.Key(secret), Encoding.UTF8.GetBytes($"slot-offer\n{challenge}\n{host}")));

    /// <summary>Whether <paramref name="proof"/> is the one a holder of <paramref name="secret"/> at <paramref name="host"/> gives for <paramref name="challenge"/>.</summary>
    public static bool Verify(string secret, string challenge, string host, string? proof) =>
        proof is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(proof), Encoding.ASCII.GetBytes(Prove(secret, challenge, host)));
}
