namespace Vigil.Server.Decisions;

/// <summary>The outcome of one policy evaluation.</summary>
/// <param name="Allow">True only when the policy said so explicitly.</param>
/// <param name="Reason">Why (from the policy's <c>reason</c>, or a Vigil reason code).</param>
/// <param name="Rule">The rule the policy reports as decisive, if any.</param>
/// <param name="StepUpMaxAge">Set when the policy requires a fresh MFA no older than this.</param>
/// <param name="Error">Set when evaluation failed (the decision is then a denial).</param>
internal sealed record Decision(bool Allow, string Reason, string? Rule = null, TimeSpan? StepUpMaxAge = null, string? Error = null)
{
    public static Decision Deny(string reason, string? error = null) => new(false, reason, null, null, error);
}
