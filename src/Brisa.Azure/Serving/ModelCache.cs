using System.Collections.Concurrent;
using Brisa.Azure.Models;
using Brisa.Core.Modeling;
using Brisa.Core.Serving;

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
/// version they started with. Named versions load once and stay.
/// </summary>
public sealed class ModelCache(ModelRegistry registry, TimeProvider time, TimeSpan refresh)
{
    private readonly ConcurrentDictionary<string, ChampionSlot> champions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string, string), Lazy<Task<LoadedModel>>> versions = new();

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

        var lazy = versions.GetOrAdd((model, version), key => new Lazy<Task<LoadedModel>>(() => LoadAsync(key.Item1, key.Item2, CancellationToken.None)));
        try
        {
            return await lazy.Value;
        }
        catch (Exception)
        {
            // Not found, or storage unreachable: forget the failed load so a later request tries again.
            versions.TryRemove(new KeyValuePair<(string, string), Lazy<Task<LoadedModel>>>((model, version), lazy));
            throw;
        }
    }

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

            return slot.Current ?? throw ServingException.NotFound("No champion", $"Model '{model}' has no champion yet: train it first ('brisa train {model}').");
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    private async Task RefreshAsync(string model, ChampionSlot slot)
    {
        try
        {
            await RefreshCoreAsync(model, slot, CancellationToken.None);
        }
        catch (Exception ex) when (ex is global::Azure.RequestFailedException or InvalidDataException or IOException)
        {
            // Keep serving the loaded champion; the next request after the refresh interval tries again.
            slot.CheckedAt = time.GetUtcNow();
        }
        finally
        {
            slot.EndRefresh();
        }
    }

    private async Task RefreshCoreAsync(string model, ChampionSlot slot, CancellationToken cancellationToken)
    {
        var champion = (await registry.GetAliasesAsync(model, cancellationToken)).Aliases.Champion;
        if (champion is not null && champion != slot.Current?.Version)
        {
            slot.Current = await LoadAsync(model, champion, cancellationToken);
        }

        slot.CheckedAt = time.GetUtcNow();
    }

    private async Task<LoadedModel> LoadAsync(string model, string version, CancellationToken cancellationToken)
    {
        var report = await registry.GetMetadataAsync(model, version, cancellationToken)
            ?? throw ServingException.NotFound("Unknown model version", $"Model '{model}' has no version '{version}'.");
        var zip = await registry.DownloadModelAsync(model, version, cancellationToken);
        using var stream = new MemoryStream(zip);
        var loaded = TrainedModel.Load(stream);

        // Before it serves (a new champion is swapped in only after this): the first requests find a scorer built.
        loaded.WarmUp();
        return new LoadedModel(model, version, loaded, report);
    }

    private sealed class ChampionSlot
    {
        private int refreshing;
        private LoadedModel? current;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public LoadedModel? Current
        {
            get => Volatile.Read(ref current);
            set => Volatile.Write(ref current, value);
        }

        public DateTimeOffset CheckedAt { get; set; }

        public bool TryStartRefresh() => Interlocked.CompareExchange(ref refreshing, 1, 0) == 0;

        public void EndRefresh() => Volatile.Write(ref refreshing, 0);
    }
}
