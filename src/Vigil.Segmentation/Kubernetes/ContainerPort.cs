using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Kubernetes;

/// <summary>A declared container port; its name is what a NetworkPolicy named port refers to.</summary>
public sealed record ContainerPort(string? Name, int Port, Protocol Protocol);
