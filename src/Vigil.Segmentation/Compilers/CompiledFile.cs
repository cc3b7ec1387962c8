namespace Vigil.Segmentation.Compilers;

/// <summary>One generated file: its suggested name and content.</summary>
public sealed record CompiledFile(string FileName, string Content, string Host);
