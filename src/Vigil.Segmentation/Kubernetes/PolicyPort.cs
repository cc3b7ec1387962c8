using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Kubernetes;

/// <summary>One entry of a rule's <c>ports</c>: a protocol with a numeric port (optionally up to <c>endPort</c>), a named port, or no port (all ports of the protocol).</summary>
public sealed record PolicyPort(Protocol Protocol, int? Port, string? NamedPort, int? EndPort, SourceSpan Location)
{
    public override string ToString()
    {
        var p = ProtocolNames.Upper(Protocol);
        if (NamedPort is not null) return $"{p} {NamedPort}";
        if (Port is null) return p + " *";
        return EndPort is null ? $"{p} {Port}" : $"{p} {Port}-{EndPort}";
    }
}
