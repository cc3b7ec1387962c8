using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Reachability;

/// <summary>Addresses outside the matrix (Kubernetes <c>ipBlock</c> or an unrestricted direction) reachable on some ports.</summary>
public sealed record ExternalAccess(AddressBlock Block, PortSet Ports, string Via);
