namespace Brisa.Testing;

/// <summary>A clock that always reads <paramref name="now"/>: pins "now" for code that takes a <see cref="TimeProvider"/>.</summary>
/// <param name="now">The time it reads.</param>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => now;
}
