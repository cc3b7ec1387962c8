using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Kubernetes;

/// <summary>A namespace and its labels (always including <c>kubernetes.io/metadata.name</c>).</summary>
public sealed record KubeNamespace(string Name, LabelSet Labels, SourceSpan Location);
