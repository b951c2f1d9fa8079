using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Remote.Transport.DotNetty;
using TpActors.Runtime.Configuration;

namespace TpActors.Runtime.Cluster;

/// <summary>
/// Akka.Remote over TLS with the cluster's certificate (<c>tpactors.cluster.tls</c>): every node presents it and accepts
/// only peers that present the same one (mutual TLS, pinned by thumbprint), so a node with another certificate, or none,
/// cannot join. <see cref="NewCertificate"/> writes a self-signed pair for a test cluster (<c>tpactors cluster new-cert</c>).
/// </summary>
public sealed class ClusterTls
{
    /// <summary>The certificate file <see cref="NewCertificate"/> writes (PKCS#12, with its private key).</summary>
    public const string CertificateFile = "cluster.pfx";

    /// <summary>Its public half, PEM, for inspection.</summary>
    public const string PublicFile = "cluster.crt";

    private ClusterTls(X509Certificate2 certificate) => Certificate = certificate;

    /// <summary>The cluster's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The TLS of <paramref name="config"/>'s <c>tpactors.cluster.tls</c>, or null when no certificate is set.</summary>
    /// <exception cref="ArgumentException">The certificate cannot be read, has no private key, or the password is wrong.</exception>
    public static ClusterTls? FromConfig(HoconConfig config)
    {
        string path = config.GetString("tpactors.cluster.tls.certificate");
        if (path.Length == 0) return null;
        try
        {
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, config.GetString("tpactors.cluster.tls.password"), X509KeyStorageFlags.EphemeralKeySet);
            if (!certificate.HasPrivateKey) throw new CryptographicException("it holds no private key");
            return new ClusterTls(certificate);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"tpactors.cluster.tls.certificate '{path}' cannot be used: {e.Message}" +
                (e is CryptographicException ? " (a PKCS#12 file with its private key, and tpactors.cluster.tls.password its password; `tpactors cluster new-cert DIR` writes one)." : "."), e);
        }
    }

    /// <summary>What the actor system is given: mutual TLS with this certificate, peers pinned to its thumbprint.</summary>
    public DotNettySslSetup Setup() => new(Certificate, suppressValidation: false, requireMutualAuthentication: true,
        customValidator: CertificateValidation.PinnedCertificate(Certificate.Thumbprint));

    /// <summary>Writes a new self-signed certificate for a cluster into <paramref name="directory"/>; its thumbprint.</summary>
    /// <exception cref="IOException">The directory already holds a certificate (it is never overwritten), or cannot be written.</exception>
    public static string NewCertificate(string directory)
    {
        Directory.CreateDirectory(directory);
        string pfx = Path.Combine(directory, CertificateFile), crt = Path.Combine(directory, PublicFile);
        if (File.Exists(pfx)) throw new IOException($"{pfx} exists; a cluster's certificate is never overwritten (remove it first, or give another directory).");
        using var key = RSA.Create(3072);
        var request = new CertificateRequest("CN=tpactors-cluster", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // server and client
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(2));
        using (var file = new FileStream(pfx, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(pfx, UnixFileMode.UserRead | UnixFileMode.UserWrite); // its private key: the owner's only
            file.Write(certificate.Export(X509ContentType.Pkcs12));
        }
        File.WriteAllText(crt, certificate.ExportCertificatePem() + "\n");
        return certificate.Thumbprint;
    }
}
