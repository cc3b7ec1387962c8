using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Kubernetes;

namespace Vigil.Segmentation.Tests.Kubernetes;

public sealed class LoaderTests
{
    [Fact]
    public void Load_InvalidYaml_ReportsFileAndLine()
    {
        var r = KubernetesLoader.LoadText("apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n", "bad.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(SegmentationErrorCodes.YamlSyntax, d.Code);
        Assert.Equal("bad.yaml", d.Location.File);
        Assert.True(d.Location.Line >= 3, d.ToString());
    }

    [Fact]
    public void Load_UnknownSpecField_IsErrorWithLine()
    {
        var r = KubernetesLoader.LoadText("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: { name: p, namespace: a }
            spec:
              podSelector: {}
              ingres: []
            """, "p.yaml");
        var d = Assert.Single(r.Diagnostics, x => x.Code == SegmentationErrorCodes.UnknownField);
        Assert.Equal(6, d.Location.Line);
        Assert.Contains("ingres", d.Message, StringComparison.Ordinal);
        Assert.Empty(r.Cluster.Policies);
    }

    [Fact]
    public void Load_UnknownKind_IsExplicitWarning()
    {
        var r = KubernetesLoader.LoadText("apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: x }\n");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal(SegmentationErrorCodes.IgnoredKind, d.Code);
    }

    [Theory]
    [InlineData("ports: [{ port: 80, endPort: 70 }]", SegmentationErrorCodes.InvalidPort)]
    [InlineData("ports: [{ port: http, endPort: 90 }]", SegmentationErrorCodes.InvalidPort)]
    [InlineData("ports: [{ port: 70000 }]", SegmentationErrorCodes.InvalidPort)]
    [InlineData("ports: [{ protocol: tcp, port: 80 }]", SegmentationErrorCodes.InvalidPort)]
    [InlineData("ports: [{ port: \"80\" }]", SegmentationErrorCodes.InvalidPort)]
    [InlineData("from: [{ ipBlock: { cidr: 10.0.0.0/8, except: [192.168.0.0/16] } }]", SegmentationErrorCodes.InvalidCidr)]
    [InlineData("from: [{ ipBlock: { cidr: not-a-cidr } }]", SegmentationErrorCodes.InvalidCidr)]
    [InlineData("from: [{ ipBlock: { cidr: 10.0.0.0/8 }, podSelector: {} }]", SegmentationErrorCodes.InvalidField)]
    [InlineData("from: [{ podSelector: { matchExpressions: [{ key: a, operator: In, values: [] }] } }]", SegmentationErrorCodes.InvalidSelector)]
    [InlineData("from: [{ podSelector: { matchExpressions: [{ key: a, operator: Exists, values: [x] }] } }]", SegmentationErrorCodes.InvalidSelector)]
    [InlineData("from: [{ podSelector: { matchExpressions: [{ key: a, operator: Maybe }] } }]", SegmentationErrorCodes.InvalidSelector)]
    [InlineData("from: [{}]", SegmentationErrorCodes.InvalidField)]
    public void Load_InvalidRule_ReportsCodeAtRuleLine(string rule, string code)
    {
        var r = KubernetesLoader.LoadText($"""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {"{"} name: p, namespace: a {"}"}
            spec:
              podSelector: {"{}"}
              ingress:
                - {rule}
            """, "p.yaml");
        var d = Assert.Single(r.Diagnostics, x => x.Severity == DiagnosticSeverity.Error);
        Assert.Equal(code, d.Code);
        Assert.Equal(7, d.Location.Line);
        Assert.Empty(r.Cluster.Policies);
    }

    [Fact]
    public void Load_ListsMultiDocumentAndKubectlOutput_AllObjectsRead()
    {
        var r = KubernetesLoader.LoadPaths([Path.Combine(Support.Yaml.Examples, "cluster")]);
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        Assert.Equal(6, r.Cluster.Pods.Count);
        Assert.Equal(6, r.Cluster.Policies.Count);
        Assert.Equal("true", r.Cluster.NamespacesByName["payments"].Labels.Get("pci"));
        Assert.Equal("payments", r.Cluster.NamespacesByName["payments"].Labels.Get(KubernetesLoader.NamespaceNameLabel));
    }

    [Fact]
    public void Load_DuplicatePolicy_IsError()
    {
        var doc = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p, namespace: a }\nspec: { podSelector: {} }\n";
        var r = KubernetesLoader.LoadText(doc + "---\n" + doc);
        Assert.Contains(r.Diagnostics, d => d.Code == SegmentationErrorCodes.Duplicate && d.Location.Line == 6);
    }

    [Fact]
    public void Load_PolicyTypesDefault_EgressOnlyWithEgressRules()
    {
        var r = Support.Yaml.Load("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: { name: a, namespace: n }
            spec: { podSelector: {}, egress: [] }
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: { name: b, namespace: n }
            spec: { podSelector: {}, egress: [ { ports: [ { port: 53, protocol: UDP } ] } ] }
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: { name: c, namespace: n }
            spec: { podSelector: {}, policyTypes: [Egress] }
            """);
        var p = r.Cluster.Policies;
        Assert.True(p[0].AffectsIngress); Assert.False(p[0].AffectsEgress);
        Assert.True(p[1].AffectsIngress); Assert.True(p[1].AffectsEgress);
        Assert.False(p[2].AffectsIngress); Assert.True(p[2].AffectsEgress);
    }

    [Fact]
    public void Load_DeeplyNestedYaml_RejectedWithoutCrashing()
    {
        var r = KubernetesLoader.LoadText("a: " + new string('[', 100_000) + new string(']', 100_000) + "\n", "deep.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(SegmentationErrorCodes.TooLarge, d.Code);
        Assert.Equal(1, d.Location.Line);
    }

    [Fact]
    public void Load_HostileAliasesAndDeepLists_DoNotHang()
    {
        var text = "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nkind: List\napiVersion: v1\nitems: [{kind: List, apiVersion: v1, items: [{kind: List, apiVersion: v1, items: [{kind: List, apiVersion: v1, items: [{kind: List, apiVersion: v1, items: []}]}]}]}]\n";
        var r = KubernetesLoader.LoadText(text);
        Assert.Contains(r.Diagnostics, d => d.Code == SegmentationErrorCodes.TooLarge);
    }

    [Fact]
    public void Load_KubectlJsonList_ReadsPoliciesAndReportsLines()
    {
        var json = """
            {
              "apiVersion": "v1",
              "kind": "List",
              "items": [
                {
                  "apiVersion": "networking.k8s.io/v1",
                  "kind": "NetworkPolicy",
                  "metadata": { "name": "ok", "namespace": "a", "uid": "1", "resourceVersion": "7", "annotations": { "x": "y" } },
                  "spec": { "podSelector": {}, "policyTypes": ["Ingress"] }
                },
                {
                  "apiVersion": "networking.k8s.io/v1",
                  "kind": "NetworkPolicy",
                  "metadata": { "name": "bad", "namespace": "a" },
                  "spec": { "podSelector": {}, "ingress": [ { "ports": [ { "port": 0 } ] } ] }
                }
              ]
            }
            """;
        var r = KubernetesLoader.LoadText(json, "kubectl.json");
        Assert.Equal("ok", Assert.Single(r.Cluster.Policies).Name);
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(SegmentationErrorCodes.InvalidPort, d.Code);
        Assert.Equal(15, d.Location.Line);
    }
}
