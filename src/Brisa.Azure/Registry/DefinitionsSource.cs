using Brisa.Core.Definitions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brisa.Azure.Registry;

/// <summary>Where a running Brisa gets its live definitions.</summary>
public interface IDefinitionsSource
{
    /// <summary>The definitions in force now; <see cref="DefinitionsNotDeployedException"/> when none was applied yet.</summary>
    ValueTask<FeatureRepositoryDefinition> GetAsync(CancellationToken cancellationToken);
}

/// <summary>Fixed definitions (a file given to <c>brisa serve</c>, or tests).</summary>
public sealed class FixedDefinitionsSource(FeatureRepositoryDefinition definitions) : IDefinitionsSource
{
    /// <inheritdoc />
    public ValueTask<FeatureRepositoryDefinition> GetAsync(CancellationToken cancellationToken) => ValueTask.FromResult(definitions);
}

/// <summary>
/// The registry's live version, re-checked at most every <c>refresh</c> interval, so an apply takes effect on
/// running instances without a restart; the definitions are reloaded only when the pointer moves. When a check fails
/// (storage unreachable, or a version this instance cannot read, e.g. applied by a newer brisa during a deploy) after
/// a version was loaded, that version keeps being served, a warning is logged and the next attempt waits for the
/// interval, as the champion model's refresh does. A version that breaks policy rules added since it was applied is
/// served, with a warning logged for each when it is loaded.
/// </summary>
public sealed partial class RegistryDefinitionsSource(DefinitionRegistry registry, TimeProvider time, TimeSpan refresh, ILogger<RegistryDefinitionsSource>? logger = null) : IDefinitionsSource, IDisposable
{
    private readonly ILogger log = logger ?? (ILogger)NullLogger.Instance;
    private readonly SemaphoreSlim gate = new(1, 1);
    private (string Version, FeatureRepositoryDefinition Definitions)? current;
    private DateTimeOffset checkedAt = DateTimeOffset.MinValue;

    /// <inheritdoc />
    public async ValueTask<FeatureRepositoryDefinition> GetAsync(CancellationToken cancellationToken)
    {
        if (current is { } cached && time.GetUtcNow() - checkedAt < refresh)
        {
            return cached.Definitions;
        }

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (current is { } fresh && time.GetUtcNow() - checkedAt < refresh)
            {
                return fresh.Definitions;
            }

            RegistryPointer? pointer = null;
            try
            {
                pointer = await registry.GetPointerAsync(cancellationToken)
                    ?? throw new DefinitionsNotDeployedException();
                if (current?.Version != pointer.Version)
                {
                    current = (pointer.Version, await registry.LoadVersionAsync(pointer.Version, cancellationToken));
                    foreach (var warning in current.Value.Definitions.StoredWarnings)
                    {
                        LogStoredWarning(log, pointer.Version, warning.DescribeAsStored());
                    }
                }
            }
            catch (Exception ex) when (current is { } loaded && ex is not OperationCanceledException and not DefinitionsNotDeployedException)
            {
                LogRefreshFailed(log, ex, pointer?.Version ?? "(pointer unreadable)", loaded.Version, refresh);
            }

            checkedAt = time.GetUtcNow();
            return current!.Value.Definitions;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => gate.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Definitions version {Version}: {Warning}")]
    private static partial void LogStoredWarning(ILogger logger, string version, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Definitions version {Version} could not be loaded; still serving {Serving}, next attempt after {Refresh}.")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string version, string serving, TimeSpan refresh);
}
