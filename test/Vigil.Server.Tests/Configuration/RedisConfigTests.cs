using Vigil.Server.Configuration;

namespace Vigil.Server.Tests.Configuration;

/// <summary>The optional <c>redis</c> section: secrets outside the YAML, insecure remote settings refused, located errors.</summary>
public sealed class RedisConfigTests : ConfigSectionTests
{
    [Fact]
    public void Parse_NoRedisSection_IsNull()
    {
        Assert.Null(Parse("").Redis);
    }

    [Fact]
    public void Parse_LoopbackWithPasswordFromEnvironment_MergesThePassword()
    {
        var variable = "VIGIL_TEST_REDIS_PW_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, "s3cret,with=odd chars");
        try
        {
            var config = Parse($"redis: {{ connection_string: \"127.0.0.1:6390\", password_env: {variable} }}").Redis!;
            var options = config.CreateOptions();
            Assert.Equal("s3cret,with=odd chars", options.Password);
            Assert.Equal("vigil", config.ChannelPrefix);
            Assert.DoesNotContain("s3cret", config.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Parse_RemoteWithTlsPasswordFileAndPrefix_IsAccepted()
    {
        File.WriteAllText(Path.Combine(Dir, "redis-password"), "from-a-file\n");
        var config = Parse("""redis: { connection_string: "redis.internal:6380,ssl=true", password_file: redis-password, channel_prefix: "prod.eu-1" }""").Redis!;
        var options = config.CreateOptions();
        Assert.Equal("from-a-file", options.Password);
        Assert.True(options.Ssl);
        Assert.Equal("prod.eu-1", config.ChannelPrefix);
    }

    [Fact]
    public void Parse_ConnectionStringFromEnvironment_IsRead()
    {
        var variable = "VIGIL_TEST_REDIS_CONN_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Environment.SetEnvironmentVariable(variable, "localhost:6391,password=p");
        try
        {
            var options = Parse($"redis: {{ connection_string_env: {variable} }}").Redis!.CreateOptions();
            Assert.Equal("p", options.Password);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Parse_RedisMistakes_ListsEveryErrorWithItsLocation()
    {
        var ex = Fails("""
            redis:
              connection_string: "redis.example.com:6379"
              channel_prefix: "has space"
              colour: blue
            storage: { provider: mysql }
            """);
        Assert.Contains(ex.Errors, e => e.Path == "redis.colour" && e.Code == ConfigErrorCodes.UnknownKey && e.Line == 6);
        Assert.Contains(ex.Errors, e => e.Path == "redis.channel_prefix" && e.Code == ConfigErrorCodes.Invalid && e.Line == 5);
        Assert.Contains(ex.Errors, e => e.Path == "redis.connection_string" && e.Code == ConfigErrorCodes.Insecure && e.Line == 4 && e.Message.Contains("ssl=true", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Path == "redis.connection_string" && e.Code == ConfigErrorCodes.Insecure && e.Line == 4 && e.Message.Contains("password", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Path == "storage.provider" && e.Line == 7);
    }

    [Theory]
    [InlineData("redis: { channel_prefix: x }", "redis.connection_string", ConfigErrorCodes.Missing)]
    [InlineData("redis: { connection_string: \"127.0.0.1:6379\", connection_string_env: X }", "redis.connection_string_env", ConfigErrorCodes.Duplicate)]
    [InlineData("redis: { connection_string_env: VIGIL_TEST_NOT_SET_ANYWHERE }", "redis.connection_string_env", ConfigErrorCodes.Missing)]
    [InlineData("redis: { connection_string_file: no-such-file }", "redis.connection_string_file", ConfigErrorCodes.Missing)]
    [InlineData("redis: { connection_string: \"127.0.0.1:6379,password=a\", password_env: X }", "redis.password_env", ConfigErrorCodes.Duplicate)]
    [InlineData("redis: { connection_string: \"127.0.0.1:6379,nosuchoption=1\" }", "redis.connection_string", ConfigErrorCodes.Invalid)]
    [InlineData("redis: { connection_string: \"ssl=true\" }", "redis.connection_string", ConfigErrorCodes.Missing)]
    [InlineData("redis: { connection_string: \"10.0.0.5:6379,ssl=true\" }", "redis.connection_string", ConfigErrorCodes.Insecure)]
    [InlineData("redis: { connection_string: \"127.0.0.1:6379\", channel_prefix: \"\" }", "redis.channel_prefix", ConfigErrorCodes.Invalid)]
    [InlineData("redis: [a, b]", "redis", ConfigErrorCodes.Invalid)]
    public void Parse_RedisMistake_IsReportedAtItsKey(string redis, string path, string code)
    {
        var ex = Fails(redis);
        Assert.Contains(ex.Errors, e => e.Path == path && e.Code == code);
    }

    [Fact]
    public void Parse_RedisErrors_NeverEchoThePassword()
    {
        var ex = Fails("""redis: { connection_string: "redis.example.com:6379,password=hunter2-secret" }""");
        Assert.DoesNotContain("hunter2-secret", string.Join("\n", ex.Errors), StringComparison.Ordinal);
    }
}
