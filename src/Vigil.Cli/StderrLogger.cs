using Microsoft.Extensions.Logging;

namespace Vigil.Cli;

/// <summary>Writes warnings and errors of library code the CLI runs (e.g. the revocation bus) to stderr as <c>vigil: warning: …</c>.</summary>
internal sealed class StderrLogger<T> : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel))
        {
            Console.Error.WriteLine($"vigil: {(logLevel == LogLevel.Warning ? "warning" : "error")}: {formatter(state, exception)}");
        }
    }
}
