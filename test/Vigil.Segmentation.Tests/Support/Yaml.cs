using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Reachability;

namespace Vigil.Segmentation.Tests.Support;

internal static class Yaml
{
    public static LoadResult Load(string text)
    {
        var r = KubernetesLoader.LoadText(text, "test.yaml");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        return r;
    }

    public static ReachabilityMatrix Matrix(string text) => KubernetesAnalyzer.Analyze(Load(text).Cluster);

    public static string Allowed(ReachabilityMatrix m, string src, string dst) => m.Allowed(m.IndexOf(src), m.IndexOf(dst)).ToString();

    public static string Pod(string ns, string name, string labels, string ports = "") => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
          namespace: {{ns}}
          labels: { {{labels}} }
        spec:
          containers:
            - name: c
              ports: [{{ports}}]
        ---

        """;

    public static string Namespace(string name, string labels = "") => $$"""
        apiVersion: v1
        kind: Namespace
        metadata:
          name: {{name}}
          labels: { {{labels}} }
        ---

        """;

    public static string Examples => Path.Combine(AppContext.BaseDirectory, "examples");
}
