namespace Vigil.Segmentation.Model;

/// <summary>Operators of a <c>matchExpressions</c> requirement.</summary>
public enum SelectorOperator
{
    In,
    NotIn,
    Exists,
    DoesNotExist,
}
