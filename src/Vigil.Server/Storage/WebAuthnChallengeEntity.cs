namespace Vigil.Server.Storage;

/// <summary>
/// An outstanding WebAuthn challenge: the options handed to the browser for one ceremony of one user, bound to one
/// login attempt or provider session (<see cref="Binding"/>). Kept in the store so any node can verify the answer.
/// </summary>
public sealed class WebAuthnChallengeEntity
{
    /// <summary>The attempt or session the challenge belongs to (<c>attempt:...</c>, <c>session:...</c>).</summary>
    public string Binding { get; set; } = "";

    /// <summary>0 registration, 1 assertion.</summary>
    public int Ceremony { get; set; }
    public string UserId { get; set; } = "";
    public string OptionsJson { get; set; } = "";

    /// <summary>Unix milliseconds after which the challenge is refused (and may be pruned).</summary>
    public long ExpiresAtMs { get; set; }
}
