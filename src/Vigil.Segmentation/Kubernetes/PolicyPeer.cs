using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Kubernetes;

/// <summary>One entry of <c>from</c>/<c>to</c>. Pod and namespace selector in one peer are ANDed; <c>IpBlock</c> stands alone.</summary>
public sealed record PolicyPeer(LabelSelector? PodSelector, LabelSelector? NamespaceSelector, AddressBlock? IpBlock, SourceSpan Location)
{
    public override string ToString()
    {
        if (IpBlock is not null) return "ipBlock " + IpBlock;
        var parts = new List<string>();
        if (NamespaceSelector is not null) parts.Add("namespaceSelector " + NamespaceSelector);
        if (PodSelector is not null) parts.Add("podSelector " + PodSelector);
        return string.Join(" AND ", parts);
    }
}
