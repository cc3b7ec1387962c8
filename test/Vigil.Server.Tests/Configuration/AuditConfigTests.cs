using Vigil.Server.Configuration;

namespace Vigil.Server.Tests.Configuration;

/// <summary>The <c>audit</c> section's <c>durability</c>: the three modes, the default, located errors, start-up only.</summary>
public sealed class AuditConfigTests : ConfigSectionTests
{
    [Theory]
    [InlineData("", AuditDurability.Written)]
    [InlineData("audit: { durability: written }", AuditDurability.Written)]
    [InlineData("audit: { durability: synced }", AuditDurability.Synced)]
    [InlineData("audit: { durability: async }", AuditDurability.Async)]
    public void Parse_Durability_IsReadWithWrittenAsDefault(string section, AuditDurability expected)
    {
        Assert.Equal(expected, Parse(section).Audit.Durability);
    }

    [Fact]
    public void Parse_AuditMistakes_ListsEveryErrorWithItsLocation()
    {
        var ex = Fails("""
            audit:
              durability: fsync
              on_failure: ignore
            """);
        Assert.Contains(ex.Errors, e => e.Path == "audit.durability" && e.Code == ConfigErrorCodes.Invalid && e.Line == 4
            && e.Message.Contains("written, synced, async", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Path == "audit.on_failure" && e.Line == 5);
    }

    [Fact]
    public void Changed_Durability_IsAStartupOnlySetting()
    {
        Assert.Equal(["audit.durability"], StartupOnlySettings.Changed(Parse("audit: { durability: written }"), Parse("audit: { durability: async }")));
    }
}
