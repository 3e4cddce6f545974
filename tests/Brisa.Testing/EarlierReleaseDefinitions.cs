using Brisa.Core.Definitions;

namespace Brisa.Testing;

/// <summary>
/// The fraud sample as a registry an earlier release applied may hold it, valid under that release's rules but breaking
/// two policy rules added since: trainer parameter <c>learning_rate: -0.05</c> (BR0525), and the on-demand feature
/// <c>log_amount</c> renamed <c>channel</c>, like a request field of the model that uses it (BR0105).
/// </summary>
public static class EarlierReleaseDefinitions
{
    /// <summary>The definitions, to store with <c>DefinitionRegistry.ApplyAsync</c> (which writes them as every release does).</summary>
    public static FeatureRepositoryDefinition Definitions { get; } = Create();

    /// <summary>The same definitions as a definitions file (the sample's YAML with the same two changes).</summary>
    public static string Yaml() =>
        File.ReadAllText(RepositoryPaths.FraudDefinitions)
            .Replace("learning_rate: 0.05", "learning_rate: -0.05", StringComparison.Ordinal)
            .Replace("log_amount", "channel", StringComparison.Ordinal);

    private static FeatureRepositoryDefinition Create()
    {
        var sample = DefinitionLoader.Load(RepositoryPaths.FraudDefinitions).Definitions
            ?? throw new InvalidOperationException("The fraud sample is not valid.");
        var channel = FeatureReference.Parse("channel");
        return sample with
        {
            OnDemandFeatures = [.. sample.OnDemandFeatures.Select(f => f.Name == "log_amount" ? f with { Name = "channel" } : f)],
            Models =
            [
                .. sample.Models.Select(m => m with
                {
                    Features = [.. m.Features.Select(r => r.IsOnDemand && r.Name == "log_amount" ? channel : r)],
                    Trainer = m.Trainer with
                    {
                        Parameters = new SortedDictionary<string, string>(m.Trainer.Parameters.ToDictionary(), StringComparer.Ordinal) { ["learning_rate"] = "-0.05" },
                    },
                }),
            ],
        };
    }
}
