namespace Vigil.Server.Storage;

/// <summary>The store cannot be used: unreachable, refused credentials, or a schema this version does not know.</summary>
public sealed class StoreException : Exception
{
    public StoreException()
    {
        Code = StoreErrorCodes.Unavailable;
    }

    public StoreException(string message)
        : base(message)
    {
        Code = StoreErrorCodes.Unavailable;
    }

    public StoreException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = StoreErrorCodes.Unavailable;
    }

    /// <summary>The message is prefixed with the code (<c>store_unavailable: ...</c>).</summary>
    public StoreException(string code, string message, Exception? innerException = null)
        : base($"{code}: {message}", innerException)
    {
        Code = code;
    }

    /// <summary>A stable code from <see cref="StoreErrorCodes"/>.</summary>
    public string Code { get; }
}
