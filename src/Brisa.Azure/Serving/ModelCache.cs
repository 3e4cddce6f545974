using System.Collections.Concurrent;
using Brisa.Azure.Models;
using Brisa.Core.Modeling;
using Brisa.Core.Serving;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brisa.Azure.Serving;

/// <summary>A model version loaded for scoring.</summary>
/// <param name="Name">The model.</param>
/// <param name="Version">The version.</param>
/// <param name="Model">The ML.NET model (scoring through an IDataView is thread-safe).</param>
/// <param name="Report">Its metadata (threshold, inputs, baseline).</param>
public sealed record LoadedModel(string Name, string Version, TrainedModel Model, TrainingReport Report);

/// <summary>
/// Models per instance: the champion of each model, re-checked against <c>aliases.json</c> at most every
/// <c>refresh</c> in the background (a request never waits for it once a champion is loaded), and swapped atomically
/// when the alias moves, once loaded and warmed up (<see cref="TrainedModel.WarmUp"/>); requests in flight keep the
/// version they started with. Versions asked for by name (or as the challenger) load once and stay while they are among
/// the <c>maxNamedVersions</c> most recently used: a registry keeps every version ever trained, and a caller walking
/// through them must not fill the instance's memory with models. A background refresh that fails, whatever the cause
/// (storage, a model file ML.NET cannot read), is logged as a warning and tried again after the next interval, not on
/// every request; the loaded champion keeps serving meanwhile, and <see cref="GetChampionLoadFailure"/> says so (health).
/// The challenger of each model held for shadow scoring, and how shadow scoring fares on this instance
/// (<see cref="GetShadowStatus"/>), are kept here too, for health.
/// </summary>
public sealed partial class ModelCache(ModelRegistry registry, TimeProvider time, TimeSpan refresh, ILogger<ModelCache>? logger = null, int maxNamedVersions = ModelCache.DefaultMaxNamedVersions)
{
    /// <summary>Named versions held per instance by default (champions are held apart and do not count).</summary>
    public const int DefaultMaxNamedVersions = 8;

    private readonly ILogger log = logger ?? (ILogger)NullLogger.Instance;
    private readonly int maxNamed = maxNamedVersions > 0 ? maxNamedVersions : throw new ArgumentOutOfRangeException(nameof(maxNamedVersions), "At least one named version must fit.");
    private long uses;

    private readonly ConcurrentDictionary<string, ChampionSlot> champions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ChampionSlot> challengers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), NamedVersion> versions = new();

    /// <summary>The champion (alias null or <c>champion</c>), the challenger (<c>challenger</c>), or a version.</summary>
    public async Task<LoadedModel> GetAsync(string model, string? versionOrAlias, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (versionOrAlias is null or "champion")
        {
            return await ChampionAsync(model, cancellationToken);
        }

        var version = versionOrAlias == "challenger"
            ? (await registry.GetAliasesAsync(model, cancellationToken)).Aliases.Challenger
                ?? throw ServingException.NotFound("No challenger", $"Model '{model}' has no challenger.")
            : versionOrAlias;
        if (!ModelVersionId.IsValid(version))
        {
            // Checked before the cache: a request must not add an entry for every string it makes up.
            throw ServingException.BadRequest("Bad model version", $"'{version}' is not a version: give 'champion', 'challenger' or a version id such as v20261129143015123-1a2b3c4d.");
        }

        var added = false;
        var entry = versions.GetOrAdd((model, version), key =>
        {
            added = true;
            return new NamedVersion(new Lazy<Task<LoadedModel>>(() => LoadAsync(key.Item1, key.Item2, CancellationToken.None)));
        });
        entry.LastUse = Interlocked.Increment(ref uses);
        if (added)
        {
            EvictLeastRecentlyUsed((model, version));
        }

        try
        {
            return await entry.Load.Value;
        }
        catch (Exception)
        {
            // Not found, or storage unreachable: forget the failed load so a later request tries again.
            versions.TryRemove(new KeyValuePair<(string, string), NamedVersion>((model, version), entry));
            throw;
        }
    }

    /// <summary>
    /// How shadow scoring of <paramref name="model"/>'s challenger fares on this instance since it started: the challenger
    /// loaded, the last load that failed (cleared by the next that succeeds), and the failed loads and scorings counted.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <returns>The status; every count zero and nothing loaded before the first shadow scoring.</returns>
    public ShadowStatus GetShadowStatus(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return challengers.TryGetValue(model, out var slot)
            ? new ShadowStatus(slot.Current?.Version, slot.Failure, slot.LoadFailures, slot.ScoringFailures)
            : new ShadowStatus(null, null, 0, 0);
    }

    /// <summary>Counts a shadow scoring of <paramref name="model"/>'s challenger that failed (<see cref="ShadowStatus.ScoringFailures"/>).</summary>
    /// <param name="model">The model.</param>
    public void CountShadowScoringFailure(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        challengers.GetOrAdd(model, _ => new ChampionSlot()).CountScoringFailure();
    }

    /// <summary>
    /// The challenger of <paramref name="model"/> for shadow scoring, without waiting: the one loaded, or null while none
    /// is (no challenger, not loaded yet, or its load failed). Like the champion, the alias is re-checked in the background
    /// at most every refresh interval; the first call starts the load, so a request never waits for the challenger.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <returns>The loaded challenger, or null.</returns>
    public LoadedModel? GetShadowChallenger(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var slot = challengers.GetOrAdd(model, _ => new ChampionSlot());
        if ((slot.CheckedAt == default || time.GetUtcNow() - slot.CheckedAt > refresh) && slot.TryStartRefresh())
        {
            _ = Task.Run(
                async () =>
                {
                    try
                    {
                        await RefreshChallengerAsync(model, slot);
                    }
                    finally
                    {
                        slot.EndRefresh();
                    }
                },
                CancellationToken.None);
        }

        return slot.Current;
    }

    /// <summary>
    /// Loads (or re-checks) the challenger of <paramref name="model"/> for shadow scoring now, and returns it: the
    /// warm-up, so shadow scoring starts with the first request. A failure is logged and counted, never thrown.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <returns>The loaded challenger, or null.</returns>
    public async Task<LoadedModel?> LoadShadowChallengerAsync(string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var slot = challengers.GetOrAdd(model, _ => new ChampionSlot());
        await slot.Gate.WaitAsync();
        try
        {
            await RefreshChallengerAsync(model, slot);
        }
        finally
        {
            slot.Gate.Release();
        }

        return slot.Current;
    }

    private async Task RefreshChallengerAsync(string model, ChampionSlot slot)
    {
        string? challenger = null;
        try
        {
            challenger = (await registry.GetAliasesAsync(model, CancellationToken.None)).Aliases.Challenger;
            slot.Current = challenger is null ? null
                : slot.Current?.Version == challenger ? slot.Current
                : await GetAsync(model, challenger, CancellationToken.None);
            slot.Failure = null;
        }
        catch (Exception ex)
        {
            // Nobody awaits this on a request: shadow scoring stops (a stale challenger would be measured under the
            // wrong version) until a later refresh loads it; the champion is not concerned.
            slot.Current = null;
            slot.Failure = new ChampionLoadFailure(challenger ?? "(aliases unreadable)", ex.Message);
            slot.CountLoadFailure();
            LogChallengerFailed(log, ex, model, challenger ?? "(aliases unreadable)", refresh);
        }

        slot.CheckedAt = time.GetUtcNow();
    }

    /// <summary>Drops the least recently used named versions past the bound; requests holding one keep scoring with it.</summary>
    private void EvictLeastRecentlyUsed((string, string) keep)
    {
        while (versions.Count > maxNamed)
        {
            var oldest = versions.Where(e => e.Key != keep).MinBy(e => e.Value.LastUse);
            if (oldest.Value is null || !versions.TryRemove(oldest))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Why the registry's champion of <paramref name="model"/> is not the one served: the version the last background
    /// refresh failed to load and the reason, while the previously loaded champion keeps serving; null when the
    /// champion loaded (or no refresh failed since). Cleared by the next refresh that succeeds.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <returns>The failure, or null.</returns>
    public ChampionLoadFailure? GetChampionLoadFailure(string model) =>
        champions.TryGetValue(model, out var slot) ? slot.Failure : null;

    private async Task<LoadedModel> ChampionAsync(string model, CancellationToken cancellationToken)
    {
        var slot = champions.GetOrAdd(model, _ => new ChampionSlot());
        if (slot.Current is { } current)
        {
            if (time.GetUtcNow() - slot.CheckedAt > refresh && slot.TryStartRefresh())
            {
                // Re-check in the background; this request is served by the current champion.
                _ = Task.Run(() => RefreshAsync(model, slot), CancellationToken.None);
            }

            return current;
        }

        await slot.Gate.WaitAsync(cancellationToken);
        try
        {
            if (slot.Current is null)
            {
                await RefreshCoreAsync(model, slot, cancellationToken);
            }

            return slot.Current ?? throw ServingException.NotFound("No champion", $"Model '{model}' has no champion yet: train it ('brisa train {model}'; a version that fails its promotion policy stays challenger), or promote a trained version ('brisa models promote {model} <version>'). ?version=challenger scores the challenger.");
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    private async Task RefreshAsync(string model, ChampionSlot slot)
    {
        string? champion = null;
        try
        {
            champion = (await registry.GetAliasesAsync(model, CancellationToken.None)).Aliases.Champion;
            await SwapAsync(model, slot, champion, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Whatever failed (storage, a model ML.NET cannot read, a version without metadata), nobody awaits this
            // task: record the attempt so the next one waits for the refresh interval, say so, and keep serving the
            // loaded champion.
            slot.CheckedAt = time.GetUtcNow();
            if (champion is not null && champion != slot.Current?.Version)
            {
                slot.Failure = new ChampionLoadFailure(champion, ex.Message);
            }

            LogRefreshFailed(log, ex, model, champion ?? "(aliases unreadable)", slot.Current?.Version ?? "(none)", refresh);
        }
        finally
        {
            slot.EndRefresh();
        }
    }

    private async Task RefreshCoreAsync(string model, ChampionSlot slot, CancellationToken cancellationToken) =>
        await SwapAsync(model, slot, (await registry.GetAliasesAsync(model, cancellationToken)).Aliases.Champion, cancellationToken);

    private async Task SwapAsync(string model, ChampionSlot slot, string? champion, CancellationToken cancellationToken)
    {
        if (champion is not null && champion != slot.Current?.Version)
        {
            slot.Current = await LoadAsync(model, champion, cancellationToken);
        }

        slot.Failure = null;
        slot.CheckedAt = time.GetUtcNow();
    }

    private async Task<LoadedModel> LoadAsync(string model, string version, CancellationToken cancellationToken)
    {
        var report = await registry.GetMetadataAsync(model, version, cancellationToken)
            ?? throw ServingException.NotFound("Unknown model version", $"Model '{model}' has no version '{version}'.");
        byte[] zip;
        try
        {
            zip = await registry.DownloadModelAsync(model, version, cancellationToken);
        }
        catch (ModelTooLargeException ex)
        {
            // The operator's to fix, not a bug: the answer says what (a 500 otherwise hides its cause).
            throw new ServingException(500, "Model too large", ex.Message);
        }

        using var stream = new MemoryStream(zip);
        var loaded = TrainedModel.Load(stream);

        // Before it serves (a new champion is swapped in only after this): the first requests find a scorer built.
        loaded.WarmUp();
        return new LoadedModel(model, version, loaded, report);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: champion {Champion} could not be loaded; still serving {Serving}, next attempt after {Refresh}.")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string model, string champion, string serving, TimeSpan refresh);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: challenger {Challenger} could not be loaded for shadow scoring; no shadow predictions until it loads, next attempt after {Refresh}.")]
    private static partial void LogChallengerFailed(ILogger logger, Exception exception, string model, string challenger, TimeSpan refresh);

    private sealed class NamedVersion(Lazy<Task<LoadedModel>> load)
    {
        private long lastUse;

        public Lazy<Task<LoadedModel>> Load { get; } = load;

        public long LastUse
        {
            get => Volatile.Read(ref lastUse);
            set => Volatile.Write(ref lastUse, value);
        }
    }

    // A model's champion, or its challenger for shadow scoring (which alone counts failures).
    private sealed class ChampionSlot
    {
        private int refreshing;
        private LoadedModel? current;
        private ChampionLoadFailure? failure;
        private long loadFailures;
        private long scoringFailures;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public LoadedModel? Current
        {
            get => Volatile.Read(ref current);
            set => Volatile.Write(ref current, value);
        }

        public DateTimeOffset CheckedAt { get; set; }

        public ChampionLoadFailure? Failure
        {
            get => Volatile.Read(ref failure);
            set => Volatile.Write(ref failure, value);
        }

        public long LoadFailures => Interlocked.Read(ref loadFailures);

        public long ScoringFailures => Interlocked.Read(ref scoringFailures);

        public void CountLoadFailure() => Interlocked.Increment(ref loadFailures);

        public void CountScoringFailure() => Interlocked.Increment(ref scoringFailures);

        public bool TryStartRefresh() => Interlocked.CompareExchange(ref refreshing, 1, 0) == 0;

        public void EndRefresh() => Volatile.Write(ref refreshing, 0);
    }
}

/// <summary>The registry's champion (or challenger, for shadow scoring) could not be loaded; a champion loaded before is still served.</summary>
/// <param name="Version">The champion (or challenger) in the registry.</param>
/// <param name="Reason">Why it could not be loaded.</param>
public sealed record ChampionLoadFailure(string Version, string Reason);

/// <summary>Shadow scoring of a model's challenger on one instance, since it started (<see cref="ModelCache.GetShadowStatus"/>).</summary>
/// <param name="Challenger">The challenger loaded and scored in shadow, or null (none, not loaded yet, or its load failed).</param>
/// <param name="LastLoadFailure">The last challenger load that failed, or null when the last one succeeded (or none was tried).</param>
/// <param name="LoadFailures">Challenger loads that failed (each also logged as a warning).</param>
/// <param name="ScoringFailures">Shadow scorings that failed: the challenger's inputs cannot be assembled from the champion's request, or scoring threw (logged once per version).</param>
public sealed record ShadowStatus(string? Challenger, ChampionLoadFailure? LastLoadFailure, long LoadFailures, long ScoringFailures);
