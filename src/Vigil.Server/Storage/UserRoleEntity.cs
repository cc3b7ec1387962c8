namespace Vigil.Server.Storage;

/// <summary>A role held by a user.</summary>
public sealed class UserRoleEntity
{
    public string UserId { get; set; } = "";
    public string Role { get; set; } = "";
}
