using System.Text.Json;

namespace Vigil.Server.Devices;

/// <summary>
/// What a device's last report amounts to under the configured checks: computed off the request path whenever a report
/// arrives, a check's inputs age (patch age, report age) or the checks change, and held in memory for the gateway.
/// </summary>
public sealed record DevicePosture
{
    /// <summary>Every configured check passes (advisory ones aside) and the report is fresh.</summary>
    public required bool Compliant { get; init; }

    /// <summary>0-100: the weighted share of checks that pass (<c>input.device.compliance_score</c>).</summary>
    public required int Score { get; init; }

    /// <summary>Each check's result, in configuration order.</summary>
    public required IReadOnlyList<DeviceCheckResult> Checks { get; init; }

    /// <summary>When this was computed.</summary>
    public required DateTimeOffset EvaluatedAt { get; init; }

    /// <summary>The names of the failing checks, in configuration order.</summary>
    public IEnumerable<DeviceCheckResult> Failing => Checks.Where(c => !c.Ok);
}

/// <summary>One check's outcome: <c>input.device.checks[name] = {ok, value, remediation}</c>.</summary>
/// <param name="Name">The check's configured name.</param>
/// <param name="Ok">Whether it passes.</param>
/// <param name="Value">What was observed (e.g. the OS version, the patch age in days), as JSON; null when the fact was missing.</param>
/// <param name="Reason">Why it fails (or null when it passes), for people.</param>
/// <param name="Remediation">What the user must do (from the configuration).</param>
/// <param name="Advisory">Counts toward the score only.</param>
public sealed record DeviceCheckResult(string Name, bool Ok, JsonElement? Value, string? Reason, string Remediation, bool Advisory = false);
