namespace Vigil.Server.Configuration;

/// <summary>
/// The optional <c>devices</c> section: device enrolment, the device CA, posture reports and the checks a device must
/// pass. Absent means device trust is off: every request's <c>input.device</c> says <c>trust: none</c>.
/// </summary>
public sealed record DevicesConfig
{
    /// <summary>Device trust is off (no <c>devices</c> section).</summary>
    public static readonly DevicesConfig Disabled = new() { Enabled = false };

    /// <summary>Whether enrolment, reports and device certificates are served. Default: true when the section exists.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Lifetime of a device certificate; agents renew when a third is left. Default: 24 h.</summary>
    public TimeSpan CertificateLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>A report older than this is refused, and a device whose last report is older fails its checks. Default: 10 min.</summary>
    public TimeSpan ReportMaxAge { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often agents report (they also report on change). Default: 5 min.</summary>
    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a report nonce stays valid. Default: 2 min.</summary>
    public TimeSpan NonceLifetime { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>New devices wait in <c>pending</c> until an administrator approves them. Default: false.</summary>
    public bool RequireApproval { get; init; }

    /// <summary>PEM files of the TPM manufacturers' root CAs an EK certificate must chain to; empty: no device can be <c>tpm</c>.</summary>
    public IReadOnlyList<string> TpmManufacturerRoots { get; init; } = [];

    /// <summary>Refuse enrolment without a TPM. Default: false.</summary>
    public bool TpmRequired { get; init; }

    /// <summary>Authenticator AAGUIDs whose attested platform passkeys mark a session's device <c>passkey</c>; empty: none do.</summary>
    public IReadOnlyList<Guid> PasskeyAaguids { get; init; } = [];

    /// <summary>The shared secret of the third-party posture webhook (from <c>webhook.secret_file</c>); null: the webhook is off.</summary>
    public string? WebhookSecret { get; init; }

    /// <summary>The checks every device's last report is held against, in the order given.</summary>
    public IReadOnlyList<DeviceCheckConfig> Checks { get; init; } = [];
}

/// <summary>One entry of <c>devices.checks</c>: a typed check with its parameters and what to tell the user.</summary>
public sealed record DeviceCheckConfig
{
    /// <summary>The name shown to users and policies (<c>input.device.checks[name]</c>); unique.</summary>
    public required string Name { get; init; }

    /// <summary>The kind: os_version, patch_age, disk_encryption, firewall, antivirus, mac_enforcing, secure_boot, file_integrity, boot_integrity, external_score.</summary>
    public required string Type { get; init; }

    /// <summary>What the user must do when the check fails (shown on the deny page and in problem+json).</summary>
    public required string Remediation { get; init; }

    /// <summary><c>os_version</c>: minimum version per OS id (e.g. <c>debian: "12"</c>).</summary>
    public IReadOnlyDictionary<string, string> Minimum { get; init; } = new Dictionary<string, string>();

    /// <summary><c>patch_age</c>: the oldest last upgrade allowed, in days.</summary>
    public int? MaxDays { get; init; }

    /// <summary><c>patch_age</c>: how many pending security updates are allowed. Default: 0.</summary>
    public int MaxPendingSecurity { get; init; }

    /// <summary><c>antivirus</c>: the process or service names of which at least one must run.</summary>
    public IReadOnlyList<string> Processes { get; init; } = [];

    /// <summary><c>external_score</c>: the source and the lowest score accepted.</summary>
    public string? Source { get; init; }

    /// <summary><c>external_score</c>: the lowest score accepted (0-100).</summary>
    public int? MinScore { get; init; }

    /// <summary>A failing check counts toward the score but does not make the device non-compliant. Default: false.</summary>
    public bool Advisory { get; init; }

    /// <summary>The check's weight in <c>compliance_score</c>. Default: 1.</summary>
    public int Weight { get; init; } = 1;
}
