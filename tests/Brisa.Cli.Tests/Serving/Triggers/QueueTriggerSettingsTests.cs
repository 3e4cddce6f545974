using Brisa.Cli.Serving;
using Brisa.Functions;
using Brisa.Testing;
using Microsoft.Extensions.Configuration;

namespace Brisa.Cli.Tests.Serving.Triggers;

/// <summary>Where the local triggers take their numbers and settings from: host.json, local.settings.json, configuration.</summary>
public sealed class QueueTriggerSettingsTests
{
    [Fact]
    public void FromHostJson_RepositoryHostJson_ItsQueueValues()
    {
        var options = QueueTriggerOptions.FromHostJson();

        Assert.Equal(QueueTriggerOptions.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "host.json"))), options);
        Assert.Equal(5, options.MaxDequeueCount);
        Assert.Equal(TimeSpan.FromSeconds(30), options.VisibilityTimeout);
        Assert.Equal(8, options.BatchSize);
        Assert.True(options.Base64);
        Assert.Equal(TimeSpan.FromMinutes(10), options.Lease);
        Assert.Equal(QueueTriggerOptions.LocalPollingCap, options.MaxPollingInterval);
    }

    [Fact]
    public void Parse_NoQueuesSection_ExtensionDefaults()
    {
        var options = QueueTriggerOptions.Parse("""{ "version": "2.0" }""");

        Assert.Equal(new QueueTriggerOptions(), options);
        Assert.Equal(16, options.BatchSize);
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(100, 200)]
    [InlineData(1600, 2000)]
    [InlineData(2000, 2000)]
    public void NextInterval_EmptyPolls_DoublesUpToTheCap(int previousMs, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), QueuePolling.NextInterval(TimeSpan.FromMilliseconds(previousMs), TimeSpan.FromSeconds(2)));

    [Fact]
    public void Defaults_LocalSettingsJson_SchedulesWithoutStorage()
    {
        var defaults = LocalSettings.Defaults();

        Assert.Equal("0 */15 * * * *", defaults["Brisa:MaterializeSchedule"]);
        Assert.Equal("0 0 3 * * *", defaults["Brisa:RetrainSchedule"]);
        Assert.Equal("0 0 * * * *", defaults["Brisa:MonitorDriftSchedule"]);
        Assert.Equal("localhost", defaults["EventHub:fullyQualifiedNamespace"]);
        Assert.False(defaults.ContainsKey("AzureWebJobsStorage"));
    }

    [Fact]
    public void Discover_BrisaFunctionsWithLocalDefaults_EveryTimerAndQueueTrigger()
    {
        var plan = TriggerFunctions.Discover(typeof(HostingExtensions).Assembly, new ConfigurationBuilder().AddInMemoryCollection(LocalSettings.Defaults()).Build());

        Assert.Equal(["MaterializeFeatures", "MonitorDrift", "RetrainModels"], plan.Timers.Select(t => t.Name));
        Assert.Equal("0 */15 * * * *", plan.Timers[0].Schedule.Expression);
        Assert.Equal("%Brisa:MaterializeSchedule%", plan.Timers[0].Binding);
        Assert.All(plan.Timers, t => Assert.False(t.RunOnStartup));
        Assert.Equal(["MaterializeSlice:materialize:materialize-poison", "RetrainModelOnRequest:retrain:retrain-poison"], plan.Queues.Select(q => $"{q.Name}:{q.Queue}:{q.PoisonQueue}"));
    }

    [Fact]
    public void Discover_ScheduleSettingMissing_ErrorNamesFunctionAndSetting()
    {
        var error = Assert.Throws<TriggerConfigurationException>(() =>
            TriggerFunctions.Discover(typeof(HostingExtensions).Assembly, new ConfigurationBuilder().Build(), name => name == "MonitorDrift"));

        Assert.Contains("MonitorDrift", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Brisa:MonitorDriftSchedule'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Brisa__MonitorDriftSchedule", error.Message, StringComparison.Ordinal);
    }
}
