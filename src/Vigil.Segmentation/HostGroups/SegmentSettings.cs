namespace Vigil.Segmentation.HostGroups;

/// <summary>Compiler settings of a segments file.</summary>
public sealed record SegmentSettings(string LogPrefix, string TableName, string KubernetesNamespace)
{
    public static readonly SegmentSettings Default = new("vigil-drop", "vigil", "default");

    /// <summary>When set, drops are logged to this netfilter log group (NFLOG, read by ulogd2 or <c>tcpdump -i nflog:N</c>) instead of the kernel log.</summary>
    public int? LogGroup { get; init; }
}
