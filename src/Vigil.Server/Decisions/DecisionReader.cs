using Vigil.Policy.Values;

namespace Vigil.Server.Decisions;

/// <summary>
/// Interprets a query's value: <c>true</c> allows; an object allows when its <c>allow</c> is <c>true</c> and may carry
/// <c>reason</c> (string or list), <c>rule</c>, and step-up obligations (<c>step_up: true</c>, <c>mfa_max_age_seconds</c>,
/// directly or under <c>obligations</c>). Anything else denies.
/// </summary>
internal static class DecisionReader
{
    public static readonly TimeSpan DefaultStepUpMaxAge = TimeSpan.FromMinutes(5);

    public static Decision Read(Value? value)
    {
        switch (value)
        {
            case null:
                return Decision.Deny("policy_undefined");
            case BooleanValue b:
                return b.Value ? new Decision(true, "allowed") : Decision.Deny("denied_by_policy");
            case ObjectValue o:
                var allow = o["allow"] is BooleanValue { Value: true };
                var reason = ReasonText(o["reason"]) ?? ReasonText(o["reasons"]) ?? ReasonText(o["deny"]) ?? (allow ? "allowed" : "denied_by_policy");
                var rule = (o["rule"] as StringValue)?.Value ?? (o["matched_rule"] as StringValue)?.Value;
                TimeSpan? stepUp = null;
                var obligations = o["obligations"] as ObjectValue ?? o;
                if (obligations["step_up"] is BooleanValue { Value: true } || obligations["mfa_max_age_seconds"] is NumberValue)
                {
                    stepUp = obligations["mfa_max_age_seconds"] is NumberValue n && n.TryGetInt64(out var seconds) && seconds >= 0
                        ? TimeSpan.FromSeconds(seconds)
                        : DefaultStepUpMaxAge;
                }

                return new Decision(allow, reason, rule, allow ? null : stepUp);
            default:
                return Decision.Deny("policy_result_not_boolean_or_object");
        }
    }

    private static string? ReasonText(Value? value) => value switch
    {
        StringValue s => s.Value,
        ArrayValue a when a.Count > 0 => string.Join("; ", a.Select(v => v is StringValue s ? s.Value : v.ToJson())),
        SetValue s when s.Count > 0 => string.Join("; ", s.Select(v => v is StringValue sv ? sv.Value : v.ToJson()).Order(StringComparer.Ordinal)),
        _ => null,
    };
}
