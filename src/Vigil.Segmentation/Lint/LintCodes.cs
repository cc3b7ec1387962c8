namespace Vigil.Segmentation.Lint;

/// <summary>Stable codes of lint findings (documented in docs/segmentation.md).</summary>
public static class LintCodes
{
    public const string NoDefaultDenyIngress = "VSL001";
    public const string NoDefaultDenyEgress = "VSL002";
    public const string EgressToAnywhere = "VSL003";
    public const string EgressToAllNamespaces = "VSL004";
    public const string IngressFromAllNamespaces = "VSL005";
    public const string IngressFromAnywhere = "VSL006";
    public const string SelectsNothing = "VSL007";
    public const string ShadowedRule = "VSL008";
    public const string EmptyEgressNotIsolating = "VSL009";
    public const string PeerMatchesNothing = "VSL010";
    public const string UnknownNamespace = "VSL011";
    public const string OverlappingGroups = "VSL101";
    public const string ShadowedFlow = "VSL102";
    public const string UnusedGroup = "VSL103";
    public const string WidePortRange = "VSL104";
    public const string FlowWithEverything = "VSL105";
}
