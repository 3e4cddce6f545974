using Brisa.Azure.Local;
using Brisa.Azure.Storage;

namespace Brisa.Testing;

/// <summary>
/// Starts a private Azurite (in memory, free ports) for the tests that share this fixture,
/// creates Brisa's containers, queues and table, and stops it afterwards.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteProcess? azurite;

    /// <summary>The running emulator.</summary>
    public AzuriteProcess Azurite => azurite ?? throw new InvalidOperationException("Azurite has not started.");

    /// <summary>Storage clients against the emulator.</summary>
    public BrisaStorage Storage { get; private set; } = null!;

    /// <summary>The emulator's connection string.</summary>
    public string ConnectionString => Azurite.ConnectionString;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        azurite = await AzuriteProcess.StartAsync();
        Storage = BrisaStorage.FromConnectionString(azurite.ConnectionString);
        await Storage.EnsureCreatedAsync();
        var health = await Storage.CheckHealthAsync();
        if (!health.Healthy)
        {
            throw new InvalidOperationException($"Azurite does not answer: {string.Join(", ", health.Checks)}\n{azurite.Output}");
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (azurite is not null)
        {
            await azurite.DisposeAsync();
        }
    }
}
