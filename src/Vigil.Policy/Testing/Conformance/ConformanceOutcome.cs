namespace Vigil.Policy.Testing.Conformance;

/// <summary>The verdict on one conformance case.</summary>
public sealed record ConformanceOutcome(ConformanceCase Case, bool Passed, string? Failure, TimeSpan Elapsed)
{
    public string Note => Case.Note;

    public string Folder => Case.Folder;
}

/// <summary>Pass/fail counts of one feature folder.</summary>
public sealed record ConformanceFolderSummary(string Folder, int Passed, int Failed)
{
    public int Total => Passed + Failed;
}
