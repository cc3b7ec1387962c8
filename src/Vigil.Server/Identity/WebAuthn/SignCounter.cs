namespace Vigil.Server.Identity.WebAuthn;

/// <summary>What an assertion's signature counter says about the authenticator.</summary>
internal enum SignCountCheck
{
    /// <summary>The counter went up: store the new value.</summary>
    Increased,

    /// <summary>Both the stored and the received counter are 0: the authenticator keeps no counter (many passkeys).</summary>
    NotSupported,

    /// <summary>The counter did not go up (or fell back to 0): the credential may have been cloned. Refused.</summary>
    Regressed,
}

/// <summary>The signature-counter rule of WebAuthn §6.1.1 / §7.2 step 21, as Vigil applies it.</summary>
internal static class SignCounter
{
    public static SignCountCheck Evaluate(long stored, uint received)
    {
        if (stored == 0 && received == 0)
        {
            return SignCountCheck.NotSupported;
        }

        return received > stored ? SignCountCheck.Increased : SignCountCheck.Regressed;
    }
}
