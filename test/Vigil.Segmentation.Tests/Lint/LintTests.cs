using Vigil.Segmentation.Diagnostics;
using Vigil.Segmentation.Kubernetes;
using Vigil.Segmentation.Lint;

namespace Vigil.Segmentation.Tests.Lint;

public sealed class LintTests
{
    private static IReadOnlyList<Diagnostic> LintDir(string name)
    {
        var r = KubernetesLoader.LoadPaths([Path.Combine(Support.Yaml.Examples, name)]);
        Assert.False(r.HasErrors);
        return KubernetesLinter.Lint(r.Cluster);
    }

    [Fact]
    public void Lint_ProposedChange_FindsEgressToInternetAsErrorWithLine()
    {
        var f = LintDir("cluster-proposed");
        var e = Assert.Single(f, d => d.Code == LintCodes.EgressToAnywhere);
        Assert.Equal(DiagnosticSeverity.Error, e.Severity);
        Assert.EndsWith("policies.yaml", e.Location.File, StringComparison.Ordinal);
        Assert.Equal(90, e.Location.Line);
        Assert.Contains(f, d => d.Code == LintCodes.IngressFromAllNamespaces && d.Location.Line == 86);
        Assert.Contains(f, d => d.Code == LintCodes.ShadowedRule && d.Message.Contains("payments/ledger-db ingress[0]", StringComparison.Ordinal));
        Assert.Contains(f, d => d.Code == LintCodes.NoDefaultDenyIngress && d.Message.Contains("monitoring", StringComparison.Ordinal));
    }

    [Fact]
    public void Lint_CurrentExample_HasNoErrors()
    {
        var f = LintDir("cluster");
        Assert.DoesNotContain(f, d => d.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain(f, d => d.Code == LintCodes.ShadowedRule);
    }

    [Fact]
    public void Lint_PolicySelectingNothingAndEmptyEgress_Reported()
    {
        var r = Support.Yaml.Load(Support.Yaml.Pod("a", "x", "app: x") + """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: { name: ghost, namespace: a }
            spec:
              podSelector: { matchLabels: { app: nope } }
              egress: []
            """);
        var f = KubernetesLinter.Lint(r.Cluster);
        Assert.Contains(f, d => d.Code == LintCodes.SelectsNothing);
        Assert.Contains(f, d => d.Code == LintCodes.EmptyEgressNotIsolating);
    }

    [Fact]
    public void Lint_AllowAllPolicyWithEmptySelector_IsNotADefaultDeny()
    {
        var r = Support.Yaml.Load(Support.Yaml.Pod("a", "x", "app: x") + """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: { name: allow-all, namespace: a }
            spec: { podSelector: {}, policyTypes: [Ingress, Egress], ingress: [ {} ], egress: [ { to: [ { podSelector: {} } ] } ] }
            """);
        var f = KubernetesLinter.Lint(r.Cluster);
        Assert.Contains(f, d => d.Code == LintCodes.NoDefaultDenyIngress);
        Assert.DoesNotContain(f, d => d.Code == LintCodes.NoDefaultDenyEgress);
    }

    [Fact]
    public void Lint_Segments_OverlapShadowAndUnused()
    {
        var r = Support.Yaml.Load("""
            apiVersion: vigil.dev/v1
            kind: Segments
            groups:
              - { name: a, hosts: [10.0.0.1] }
              - { name: b, cidrs: [10.0.0.0/24] }
              - { name: c, hosts: [10.9.0.1] }
            flows:
              - { from: a, to: b, ports: [tcp/1-5000] }
              - { from: a, to: b, ports: [tcp/80] }
            """);
        var f = SegmentsLinter.Lint(r.Segments!);
        Assert.Contains(f, d => d.Code == LintCodes.OverlappingGroups);
        Assert.Contains(f, d => d.Code == LintCodes.ShadowedFlow && d.Location.Line == 9);
        Assert.Contains(f, d => d.Code == LintCodes.UnusedGroup && d.Message.Contains("group c", StringComparison.Ordinal));
        Assert.Contains(f, d => d.Code == LintCodes.WidePortRange);
    }

    [Fact]
    public void Load_SegmentsWithUnknownGroupAndBadPort_AllErrorsCollected()
    {
        var r = KubernetesLoader.LoadText("""
            apiVersion: vigil.dev/v1
            kind: Segments
            groups:
              - { name: a, hosts: [10.0.0.1], colour: red }
            flows:
              - { from: a, to: zz, ports: [tcp/80] }
              - { from: a, to: a, ports: [http] }
            """, "s.yaml");
        Assert.Contains(r.Diagnostics, d => d.Code == SegmentationErrorCodes.UnknownField && d.Location.Line == 4);
        Assert.Contains(r.Diagnostics, d => d.Code == SegmentationErrorCodes.UnknownGroup && d.Location.Line == 6);
        Assert.Contains(r.Diagnostics, d => d.Code == SegmentationErrorCodes.InvalidPort && d.Location.Line == 7);
        Assert.Null(r.Segments);
    }
}
