namespace Vigil.Segmentation.Reachability;

/// <summary>What a row/column of the matrix is.</summary>
public enum EndpointKind
{
    Pod,
    Group,
}
