using System.Text.Json;
using Vigil.Server.Configuration;

namespace Vigil.Server.Devices;

/// <summary>
/// Holds a device's last report against the configured checks. Pure: the same facts, checks and time give the same
/// posture. A missing fact fails its check (a decision made on missing context denies).
/// </summary>
public static class DevicePostureEvaluator
{
    /// <summary>Evaluates a report's facts.</summary>
    /// <param name="config">The <c>devices</c> section (its checks).</param>
    /// <param name="facts">The report payload's <c>facts</c> object; null when the device never reported.</param>
    /// <param name="factErrors">The report payload's <c>errors</c> object (fact name -> why it could not be read), if any.</param>
    /// <param name="externalScores">Third-party posture scores by source (from the webhook), with when they were observed.</param>
    /// <param name="reportedAt">When the last accepted report was collected; null when never.</param>
    /// <param name="bootIntegrityOk">False when the last TPM quote's PCRs differ from the device's baseline.</param>
    /// <param name="now">The current time.</param>
    public static DevicePosture Evaluate(
        DevicesConfig config,
        JsonElement? facts,
        JsonElement? factErrors,
        IReadOnlyDictionary<string, (int Score, DateTimeOffset ObservedAt)> externalScores,
        DateTimeOffset? reportedAt,
        bool bootIntegrityOk,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(config);
        // Fail closed until the checks are built: every device is non-compliant, with one failing check saying why.
        var check = new DeviceCheckResult("posture", false, null, "posture checks are not evaluated by this build", "Contact your administrator.");
        return new DevicePosture { Compliant = false, Score = 0, Checks = [check], EvaluatedAt = now };
    }
}
