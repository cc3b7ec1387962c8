using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.BlastRadius;

/// <summary>One hop of a lateral-movement path.</summary>
public sealed record PathHop(string From, string To, PortSet Ports);
