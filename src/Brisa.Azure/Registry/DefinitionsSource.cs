using Brisa.Core.Definitions;

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
/// running instances without a restart; the definitions are reloaded only when the pointer moves.
/// </summary>
public sealed class RegistryDefinitionsSource(DefinitionRegistry registry, TimeProvider time, TimeSpan refresh) : IDefinitionsSource, IDisposable
{
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

            var pointer = await registry.GetPointerAsync(cancellationToken)
                ?? throw new DefinitionsNotDeployedException();
            if (current?.Version != pointer.Version)
            {
                current = (pointer.Version, await registry.LoadVersionAsync(pointer.Version, cancellationToken));
            }

            checkedAt = time.GetUtcNow();
            return current.Value.Definitions;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => gate.Dispose();
}
