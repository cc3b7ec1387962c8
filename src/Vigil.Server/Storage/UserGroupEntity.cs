namespace Vigil.Server.Storage;

/// <summary>A group a user belongs to.</summary>
public sealed class UserGroupEntity
{
    public string UserId { get; set; } = "";
    public string Group { get; set; } = "";
}
