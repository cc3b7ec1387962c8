using static Vigil.Policy.Tests.Builtins.Core.BuiltinCall;

namespace Vigil.Policy.Tests.Builtins.Core;

public sealed class ArithmeticTests
{
    [Theory]
    [InlineData("plus", "18446744073709551617", "1", "18446744073709551618")]
    [InlineData("minus", "18446744073709551617", "1", "18446744073709551616")]
    [InlineData("mul", "18446744073709551617", "2", "36893488147419103234")]
    [InlineData("plus", "123456789012345678901234567890", "1", "123456789012345678901234567891")]
    [InlineData("minus", "-18446744073709551617", "1", "-18446744073709551618")]
    [InlineData("plus", "1.5", "2.5", "4")]
    [InlineData("plus", "1", "2.5", "3.5")]
    [InlineData("mul", "2.5", "2", "5")]
    [InlineData("plus", "2147483647", "1", "2147483648")]
    [InlineData("mul", "2147483647", "2147483647", "4611686014132420609")]
    [InlineData("mul", "-2147483648", "-2147483648", "4611686018427387904")]
    [InlineData("plus", "9223372036854775807", "1", "9223372036854775808")]
    [InlineData("plus", "1e30", "1", "1000000000000000000000000000001")]
    [InlineData("plus", "10.00", "5", "15")]
    [InlineData("div", "6", "3", "2")]
    [InlineData("div", "-6", "3", "-2")]
    [InlineData("div", "1", "4", "0.25")]
    [InlineData("div", "0", "5", "0")]
    [InlineData("div", "1", "3", "0.33333333333333333334")]
    [InlineData("rem", "-17", "5", "-2")]
    [InlineData("rem", "17", "-5", "2")]
    [InlineData("rem", "4.0", "3", "1")]
    [InlineData("rem", "10", "18446744073709551616", "10")]
    [InlineData("rem", "18446744073709551617", "18446744073709551616", "1")]
    [InlineData("rem", "100", "-18446744073709551616", "100")]
    public void Binary_MatchesOpa(string name, string x, string y, string expected) =>
        Assert.Equal(expected, Json(name, x, y));

    [Theory]
    [InlineData("abs", "-5", "5")]
    [InlineData("abs", "-2147483648", "2147483648")]
    [InlineData("abs", "-9223372036854775808", "9223372036854775808")]
    [InlineData("abs", "-2.5", "2.5")]
    [InlineData("round", "2.5", "3")]
    [InlineData("round", "-2.5", "-3")]
    [InlineData("round", "2.4", "2")]
    [InlineData("round", "-5", "-5")]
    [InlineData("round", "10.00", "10")]
    [InlineData("ceil", "1.2", "2")]
    [InlineData("floor", "-1.5", "-2")]
    [InlineData("floor", "1.5", "1")]
    public void Unary_MatchesOpa(string name, string x, string expected) =>
        Assert.Equal(expected, Json(name, x));

    [Theory]
    [InlineData("div", "1", "0", "builtin: divide by zero")]
    [InlineData("div", "1", "0.0", "builtin: divide by zero")]
    [InlineData("rem", "7", "0", "builtin: modulo by zero")]
    [InlineData("rem", "1.1", "1", "builtin: modulo on floating-point number")]
    [InlineData("plus", "\"a\"", "1", "type: operand 1 must be number but got string")]
    [InlineData("minus", "\"a\"", "1", "type: operand 1 must be one of {number, set} but got string")]
    [InlineData("minus", "1", "\"a\"", "type: operand 2 must be number but got string")]
    public void Errors_MatchOpa(string name, string x, string y, string expected) =>
        Assert.Equal(expected, Error(name, x, y));

    [Fact]
    public void Minus_SetAndNumber_ReportsSetExpected()
    {
        var ex = Assert.Throws<Vigil.Policy.Builtins.BuiltinTypeException>(() =>
            Call("minus", Vigil.Policy.Values.SetValue.Create(Vigil.Policy.Values.Value.From(1)), Vigil.Policy.Values.Value.From(1)));
        Assert.Equal("operand 2 must be set but got number", ex.Message);
    }

    [Fact]
    public void Plus_PointOnePlusPointTwo_UsesSixtyFourBitMantissa()
    {
        // big.Float (64-bit mantissa) arithmetic, printed shortest for that precision.
        var result = Json("plus", "0.1", "0.2");
        Assert.Equal(0.3, double.Parse(result, System.Globalization.CultureInfo.InvariantCulture), 15);
    }
}
