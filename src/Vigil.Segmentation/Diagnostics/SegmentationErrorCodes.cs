namespace Vigil.Segmentation.Diagnostics;

/// <summary>Stable codes of load errors and warnings (lint codes live in <c>Lint/LintCodes</c>).</summary>
public static class SegmentationErrorCodes
{
    /// <summary>The file is not valid YAML.</summary>
    public const string YamlSyntax = "SEG001";
    /// <summary>A field has the wrong shape or type.</summary>
    public const string InvalidField = "SEG002";
    /// <summary>A field is not part of the schema (typo or unsupported feature).</summary>
    public const string UnknownField = "SEG003";
    /// <summary>A required field is missing.</summary>
    public const string MissingField = "SEG004";
    /// <summary>An object kind that is not analysed (reported, never silently skipped).</summary>
    public const string IgnoredKind = "SEG005";
    /// <summary>A label selector is invalid (operator, values).</summary>
    public const string InvalidSelector = "SEG006";
    /// <summary>A port, endPort or protocol is invalid.</summary>
    public const string InvalidPort = "SEG007";
    /// <summary>A CIDR or address is invalid, or an except is outside its cidr.</summary>
    public const string InvalidCidr = "SEG008";
    /// <summary>Two objects share a namespace and name.</summary>
    public const string Duplicate = "SEG009";
    /// <summary>A path could not be read.</summary>
    public const string Io = "SEG010";
    /// <summary>A flow names a group that does not exist.</summary>
    public const string UnknownGroup = "SEG011";
    /// <summary>An input is larger than the configured limit.</summary>
    public const string TooLarge = "SEG012";
    /// <summary>Something is referenced that the inventory does not contain.</summary>
    public const string UnknownReference = "SEG013";
    /// <summary>A feature the target cannot express (e.g. IPv6 in the nftables compiler).</summary>
    public const string Unsupported = "SEG014";
}
