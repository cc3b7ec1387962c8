using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Vigil.Server.Tests.Logging;

public sealed class LogEventTests
{
    private static IEnumerable<(MethodInfo Method, LoggerMessageAttribute Attribute)> LogMethods() =>
        typeof(VigilServer).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()!))
            .Where(x => x.Attribute is not null);

    [Fact]
    public void LoggerMessages_InServerAssembly_HaveUniqueEventIds()
    {
        var methods = LogMethods().ToList();
        Assert.True(methods.Count >= 10, $"only {methods.Count} [LoggerMessage] methods found");
        var duplicates = methods.GroupBy(x => x.Attribute.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => x.Method.DeclaringType!.Name + "." + x.Method.Name))}").ToList();
        Assert.True(duplicates.Count == 0, string.Join("; ", duplicates));
    }
}
