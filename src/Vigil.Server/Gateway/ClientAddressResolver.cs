using System.Net;

namespace Vigil.Server.Gateway;

/// <summary>
/// Finds the client address. <c>X-Forwarded-For</c> is believed only when the direct peer is a configured
/// trusted proxy; then the right-most address that is not itself a trusted proxy is the client.
/// </summary>
internal static class ClientAddressResolver
{
    public static IPAddress Resolve(IPAddress? remote, IReadOnlyList<IPNetwork> trustedProxies, IEnumerable<string?> forwardedFor)
    {
        remote ??= IPAddress.None;
        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }

        if (trustedProxies.Count == 0 || !IsTrusted(remote, trustedProxies))
        {
            return remote;
        }

        var entries = new List<string>();
        foreach (var header in forwardedFor)
        {
            if (header is null)
            {
                continue;
            }

            foreach (var part in header.Split(','))
            {
                entries.Add(part.Trim());
            }
        }

        var current = remote;
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (!IPAddress.TryParse(entries[i], out var ip))
            {
                return current; // garbage in the chain: stop at the last address we could vouch for
            }

            if (ip.IsIPv4MappedToIPv6)
            {
                ip = ip.MapToIPv4();
            }

            current = ip;
            if (!IsTrusted(ip, trustedProxies))
            {
                return ip;
            }
        }

        return current;
    }

    private static bool IsTrusted(IPAddress address, IReadOnlyList<IPNetwork> networks)
    {
        foreach (var network in networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }
}
