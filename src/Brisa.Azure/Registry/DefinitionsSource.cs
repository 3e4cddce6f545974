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
/// The registry's live version, so an apply takes effect on running instances without a restart: a version applied
/// more than <c>refresh</c> ago is the one served. The loaded version is served while its check is younger than the
/// interval; from half the interval on, a request starts a check in the background (one at a time) and is served the
/// loaded version without waiting, so under steady traffic no request waits for the registry. A request that finds
/// the last check a whole interval old (an instance that served nothing for that long) waits for the check, as the first
/// load does. The definitions are reloaded only when the pointer moves. A check that fails once a version is loaded
/// (storage unreachable, or a version this instance cannot read, e.g. applied by a newer brisa during a deploy) is
/// logged as a warning and the loaded version keeps being served; the next attempt comes half an interval later, never
/// on every request. A pointer gone since (the registry emptied) unloads the version: requests are then answered as
/// before any apply. A version that breaks policy rules added since it was applied is served, with a warning logged for
/// each when it is loaded.
/// </summary>
public sealed partial class RegistryDefinitionsSource(DefinitionRegistry registry, TimeProvider time, TimeSpan refresh, ILogger<RegistryDefinitionsSource>? logger = null) : IDefinitionsSource, IDisposable
{
    private readonly ILogger log = logger ?? (ILogger)NullLogger.Instance;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Lock refreshLock = new();
    private Loaded? current;
    private long checkedAtTicks;
    private Task? refreshing;

    /// <inheritdoc />
    public async ValueTask<FeatureRepositoryDefinition> GetAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref current) is { } loaded)
        {
            var age = time.GetUtcNow().UtcTicks - Volatile.Read(ref checkedAtTicks);
            if (age < refresh.Ticks / 2)
            {
                return loaded.Definitions;
            }

            var check = StartRefresh();
            if (age < refresh.Ticks)
            {
                return loaded.Definitions;
            }

            // Nothing checked for a whole interval: a version applied that long ago must be in force, so wait. The
            // check never throws; it may unload the version (no pointer any more), which is then a first load.
            await check.WaitAsync(cancellationToken);
        }

        return await FirstLoadAsync(cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose() => gate.Dispose();

    private async Task<FeatureRepositoryDefinition> FirstLoadAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref current) is { } raced)
            {
                return raced.Definitions;
            }

            var pointer = await registry.GetPointerAsync(cancellationToken) ?? throw new DefinitionsNotDeployedException();
            return (await LoadAsync(pointer, cancellationToken)).Definitions;
        }
        finally
        {
            gate.Release();
        }
    }

    // The check in flight, or a new one: never two at a time.
    private Task StartRefresh()
    {
        lock (refreshLock)
        {
            return refreshing ??= Task.Run(RefreshAsync, CancellationToken.None);
        }
    }

    private async Task RefreshAsync()
    {
        RegistryPointer? pointer = null;
        try
        {
            pointer = await registry.GetPointerAsync(CancellationToken.None);
            if (pointer is null)
            {
                Volatile.Write(ref current, null);
            }
            else
            {
                await LoadAsync(pointer, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            // Nobody awaits this task but a request that waits for it: say so, and keep serving the loaded version.
            LogRefreshFailed(log, ex, pointer?.Version ?? "(pointer unreadable)", Volatile.Read(ref current)?.Version ?? "(none)", refresh / 2);
        }
        finally
        {
            // The attempt counts before the slot frees, so a request in between does not start another at once.
            Volatile.Write(ref checkedAtTicks, time.GetUtcNow().UtcTicks);
            lock (refreshLock)
            {
                refreshing = null;
            }
        }
    }

    private async Task<Loaded> LoadAsync(RegistryPointer pointer, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref current) is not { } loaded || loaded.Version != pointer.Version)
        {
            loaded = new Loaded(pointer.Version, await registry.LoadVersionAsync(pointer.Version, cancellationToken));
            foreach (var warning in loaded.Definitions.StoredWarnings)
            {
                LogStoredWarning(log, pointer.Version, warning.DescribeAsStored());
            }
        }

        // Checked before published: a request that sees the version sees its check too.
        Volatile.Write(ref checkedAtTicks, time.GetUtcNow().UtcTicks);
        Volatile.Write(ref current, loaded);
        return loaded;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Definitions version {Version}: {Warning}")]
    private static partial void LogStoredWarning(ILogger logger, string version, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Definitions version {Version} could not be loaded; still serving {Serving}, next attempt after {Refresh}.")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string version, string serving, TimeSpan refresh);

    private sealed record Loaded(string Version, FeatureRepositoryDefinition Definitions);
}
