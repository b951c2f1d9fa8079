using System.Globalization;

namespace TpActors.Runtime.Cluster;

/// <summary>A node's "host:port", as users type it (<c>--seed</c>, <c>--bind</c>, <c>--cluster</c>) and as a host prints it.</summary>
/// <param name="Host">A host name or IP address (an IPv6 one without brackets).</param>
/// <param name="Port">0 to 65535; 0 in a bind address lets the OS pick.</param>
public readonly record struct NodeAddress(string Host, int Port)
{
    /// <summary>Parses "host:port" (an IPv6 host in brackets); <paramref name="what"/> names the option or setting in the error.</summary>
    /// <exception cref="ArgumentException">Not host:port.</exception>
    public static NodeAddress Parse(string text, string what)
    {
        int colon = text.LastIndexOf(':');
        string host = colon > 0 ? text[..colon].Trim() : "";
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (colon <= 0 || host.Length == 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
            throw new ArgumentException($"{what}: '{text}' is not HOST:PORT (e.g. 127.0.0.1:4053; port 0 to 65535).");
        return new NodeAddress(host, port);
    }

    /// <summary>Parses the "host:port" of a node to reach (a seed, a --cluster target): port 0, which only a bind can have, is refused.</summary>
    /// <exception cref="ArgumentException">Not host:port, or port 0.</exception>
    public static NodeAddress ParseTarget(string text, string what)
    {
        var address = Parse(text, what);
        if (address.Port == 0)
            throw new ArgumentException($"{what}: '{text}' names port 0, which only a bind can have (the OS then picks one); give the address a `tpactors host` printed on its first line.");
        return address;
    }

    /// <summary>Whether the host is an IP address rather than a name.</summary>
    public bool IsIp => System.Net.IPAddress.TryParse(Host, out _);

    /// <summary>The host and port of a member's Akka <paramref name="address"/>.</summary>
    public static NodeAddress Of(Akka.Actor.Address address) => new(address.Host ?? "", address.Port ?? 0);

    /// <summary>The Akka address of the node with this host and port in the TpActors cluster.</summary>
    public string ToAkkaAddress(bool tls = false) => $"{(tls ? "akka.ssl.tcp" : "akka.tcp")}://{ClusterBootstrap.SystemName}@{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port}";

    /// <inheritdoc/>
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
