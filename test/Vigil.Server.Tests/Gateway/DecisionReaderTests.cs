using Vigil.Policy.Values;
using Vigil.Server.Decisions;

namespace Vigil.Server.Tests.Gateway;

public sealed class DecisionReaderTests
{
    [Fact]
    public void Read_Undefined_Denies() => Assert.False(DecisionReader.Read(null).Allow);

    [Fact]
    public void Read_True_Allows() => Assert.True(DecisionReader.Read(Value.True).Allow);

    [Fact]
    public void Read_NonBooleanAllow_Denies() =>
        Assert.False(DecisionReader.Read(Value.FromJson("""{"allow": "yes"}""")).Allow);

    [Fact]
    public void Read_NumberResult_Denies() => Assert.False(DecisionReader.Read(Value.From(1)).Allow);

    [Fact]
    public void Read_ObjectWithReasonRuleAndStepUp_CarriesThem()
    {
        var d = DecisionReader.Read(Value.FromJson("""{"allow": false, "reason": "fresh MFA", "rule": "r1", "obligations": {"step_up": true, "mfa_max_age_seconds": 600}}"""));
        Assert.False(d.Allow);
        Assert.Equal("fresh MFA", d.Reason);
        Assert.Equal("r1", d.Rule);
        Assert.Equal(TimeSpan.FromMinutes(10), d.StepUpMaxAge);
    }
}
