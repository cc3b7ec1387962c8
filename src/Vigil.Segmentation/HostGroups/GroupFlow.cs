using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.HostGroups;

/// <summary>An allowed flow: every source group may open connections to every destination group on these ports.</summary>
public sealed record GroupFlow(int Index, IReadOnlyList<string> From, IReadOnlyList<string> To, PortSet Ports, string Description, SourceSpan Location);
