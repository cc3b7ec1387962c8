namespace Vigil.Segmentation.Compilers;

/// <summary>Enforce drops what no flow allows; Audit accepts it but logs and counts it as a would-be drop.</summary>
public enum CompileMode
{
    Enforce,
    Audit,
}
