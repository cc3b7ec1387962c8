using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Model;

namespace Vigil.Segmentation.Kubernetes;

/// <summary>What was loaded from Kubernetes YAML: namespaces, pods and policies.</summary>
public sealed class ClusterModel
{
    public ClusterModel(IReadOnlyList<KubeNamespace> namespaces, IReadOnlyList<KubePod> pods, IReadOnlyList<NetworkPolicy> policies)
    {
        // Namespaces referenced by pods or policies but missing from the inventory still exist, with only the automatic label.
        var byName = new Dictionary<string, KubeNamespace>(StringComparer.Ordinal);
        foreach (var ns in namespaces) byName[ns.Name] = ns;
        foreach (var name in pods.Select(p => p.Namespace).Concat(policies.Select(p => p.Namespace)))
        {
            if (!byName.ContainsKey(name))
                byName[name] = new KubeNamespace(name, new LabelSet([new(KubernetesLoader.NamespaceNameLabel, name)]), SourceSpan.None);
        }
        Namespaces = [.. byName.Values.OrderBy(n => n.Name, StringComparer.Ordinal)];
        Pods = [.. pods.OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal)];
        Policies = policies;
        NamespacesByName = byName;
    }

    public IReadOnlyList<KubeNamespace> Namespaces { get; }

    public IReadOnlyList<KubePod> Pods { get; }

    public IReadOnlyList<NetworkPolicy> Policies { get; }

    public IReadOnlyDictionary<string, KubeNamespace> NamespacesByName { get; }

    /// <summary>Namespaces that were declared in the inventory (not only referenced).</summary>
    public bool IsDeclared(string ns) => NamespacesByName.TryGetValue(ns, out var n) && n.Location != SourceSpan.None;
}
