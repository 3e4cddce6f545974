using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Brisa.Testing;

/// <summary>
/// Keeps every entry logged through it, for tests that assert what was logged: register it as an
/// <see cref="ILoggerProvider"/> in a host, or take a logger from <see cref="CreateLogger{T}"/>.
/// </summary>
public sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> entries = new();

    /// <summary>Everything logged so far, in order.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. entries];

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

    /// <summary>A typed logger (category: the type's full name) writing here.</summary>
    public ILogger<T> CreateLogger<T>() => new ListLogger<T>(this);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private void Add(LogEntry entry) => entries.Enqueue(entry);

    private class ListLogger(ListLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal)
                : new Dictionary<string, object?>(StringComparer.Ordinal);
            provider.Add(new LogEntry(logLevel, category, formatter(state, exception), exception, properties));
        }
    }

    private sealed class ListLogger<T>(ListLoggerProvider provider) : ListLogger(provider, typeof(T).FullName!), ILogger<T>;
}

/// <summary>One log entry.</summary>
/// <param name="Level">Its level.</param>
/// <param name="Category">The logger's category.</param>
/// <param name="Message">The formatted message.</param>
/// <param name="Exception">The exception logged with it, if any.</param>
/// <param name="Properties">Its structured properties (the message template's values).</param>
public sealed record LogEntry(LogLevel Level, string Category, string Message, Exception? Exception, IReadOnlyDictionary<string, object?> Properties);
