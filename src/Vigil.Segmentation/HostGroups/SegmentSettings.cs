namespace Vigil.Segmentation.HostGroups;

/// <summary>Compiler settings of a segments file.</summary>
public sealed record SegmentSettings(string LogPrefix, string TableName, string KubernetesNamespace)
{
    public static readonly SegmentSettings Default = new("vigil-drop", "vigil", "default");
}
