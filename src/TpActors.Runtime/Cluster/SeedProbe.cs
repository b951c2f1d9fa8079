using System.Net;
using Akka.Actor;
using System.Net.Sockets;

namespace TpActors.Runtime.Cluster;

/// <summary>
/// What a node to join can be told before Akka tries for a whole join-timeout: that its name does not resolve, or that
/// nothing listens at its port (connection refused). A seed that does not answer at all (a firewall that drops) is left to
/// Akka's join, which may still succeed once the seed starts.
/// </summary>
public static class SeedProbe
{
    /// <summary>Checks that something listens at <paramref name="seed"/>; <paramref name="what"/> names the option in the error.</summary>
    /// <exception cref="IOException">The name does not resolve, or the connection is refused; the message names the address.</exception>
    public static async Task CheckAsync(NodeAddress seed, string what, TimeSpan timeout)
    {
        var (addresses, why) = await ResolveAsync(seed).ConfigureAwait(false);
        if (addresses is null) throw new IOException($"{what} {seed}: the name {seed.Host} does not resolve ({why}).");
        SocketException? refused = null;
        foreach (var address in addresses)
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var deadline = new CancellationTokenSource(timeout);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, seed.Port), deadline.Token).ConfigureAwait(false);
                return; // something listens; whether it is a TpActors node Akka's join tells
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                refused = e;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                return; // no answer either way: Akka's join decides, within its timeout
            }
        }
        if (refused is not null)
            throw new IOException($"{what} {seed}: nothing listens there (connection refused{(seed.IsIp ? "" : $" at {string.Join(", ", addresses.Select(a => a.ToString()))}")}). " +
                "Is a `tpactors host` running at that address? A host prints its address on its first line.", refused);
    }

    /// <summary>
    /// The Akka address <paramref name="seed"/> answers to: as given, or, when it is a name, one of the addresses the name
    /// resolves to (a host answers only to the address it announced: one bound to 127.0.0.1 does not answer to localhost).
    /// The resolved addresses are asked who they are first (hosts announce an address far more often than a name), then the
    /// name; when none answers yet (the seed may still be starting), the address as given.
    /// </summary>
    public static async Task<Address> AnsweringAddressAsync(ActorSystem system, NodeAddress seed, bool tls)
    {
        var given = Address.Parse(seed.ToAkkaAddress(tls));
        if (seed.IsIp) return given;
        if ((await ResolveAsync(seed).ConfigureAwait(false)).Addresses is not { } resolved) return given; // Akka says it cannot reach the name
        var candidates = resolved.Where(a => a.AddressFamily == AddressFamily.InterNetwork).Distinct()
            .Select(a => Address.Parse(new NodeAddress(a.ToString(), seed.Port).ToAkkaAddress(tls))).Append(given).ToList();
        // One at a time: two associations opened at once to one host under two names can lose each other's answers.
        foreach (var candidate in candidates)
            if (await IdentifyAsync(system, candidate).ConfigureAwait(false) is { } address) return address;
        return given;
    }

    // The candidate when its cluster daemon answers within 2 s; null when it does not (a host that announced another name
    // drops what is sent to this one).
    private static async Task<Address?> IdentifyAsync(ActorSystem system, Address candidate)
    {
        try
        {
            var identity = await system.ActorSelection(new RootActorPath(candidate) / "system" / "cluster" / "core" / "daemon")
                .Ask<ActorIdentity>(new Identify(candidate), TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            return identity.Subject is null ? null : candidate;
        }
        catch (Exception e) when (e is AskTimeoutException or TimeoutException)
        {
            return null;
        }
    }

    // The addresses of the seed's host (itself when it is an IP address), or null and why the name does not resolve.
    private static async Task<(IPAddress[]? Addresses, string? Why)> ResolveAsync(NodeAddress seed)
    {
        if (seed.IsIp) return ([IPAddress.Parse(seed.Host)], null);
        try
        {
            return (await Dns.GetHostAddressesAsync(seed.Host).ConfigureAwait(false), null);
        }
        catch (SocketException e)
        {
            return (null, e.Message);
        }
    }
}
