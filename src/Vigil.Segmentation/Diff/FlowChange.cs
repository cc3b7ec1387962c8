using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Diff;

/// <summary>A flow that a change opens or closes.</summary>
public sealed record FlowChange(string Source, string Destination, PortSet Ports);
