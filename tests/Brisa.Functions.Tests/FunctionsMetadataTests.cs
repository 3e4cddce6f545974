using System.Text.Json;
using Brisa.Testing;
using Xunit;

namespace Brisa.Functions.Tests;

/// <summary>
/// Checks the <c>functions.metadata</c> that the Functions SDK generates at build time (and that travels to this test's
/// output with the Functions project). The offline shim and the official Event Hubs package must produce this same file.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly Lazy<JsonElement> Metadata = new(Load);

    [Fact]
    public void IngestEvents_Metadata_IsBatchedEventHubTriggerFromAppSettings()
    {
        var function = Function("IngestEvents");
        Assert.Equal("Brisa.Functions.dll", function.GetProperty("scriptFile").GetString());
        Assert.Equal("Brisa.Functions.Ingestion.IngestEventsFunction.Run", function.GetProperty("entryPoint").GetString());
        Assert.Equal("dotnet-isolated", function.GetProperty("language").GetString());

        var binding = Assert.Single(function.GetProperty("bindings").EnumerateArray());
        Assert.Equal("events", binding.GetProperty("name").GetString());
        Assert.Equal("eventHubTrigger", binding.GetProperty("type").GetString());
        Assert.Equal("In", binding.GetProperty("direction").GetString());
        Assert.Equal("Many", binding.GetProperty("cardinality").GetString());
        Assert.Equal("%EventHubName%", binding.GetProperty("eventHubName").GetString());
        Assert.Equal("EventHub", binding.GetProperty("connection").GetString());
        Assert.Equal("%EventHubConsumerGroup%", binding.GetProperty("consumerGroup").GetString());

        // EventData[] is neither string nor binary: the official generator emits no dataType, and the worker binds
        // each event from model binding data (deferred binding), as the official converter advertises.
        Assert.False(binding.TryGetProperty("dataType", out _));
        Assert.Equal("True", binding.GetProperty("properties").GetProperty("supportsDeferredBinding").GetString());
    }

    [Fact]
    public void IngestEvents_Metadata_RetriesAFailedBatchIndefinitely()
    {
        // The Event Hubs trigger checkpoints a batch whether or not the function succeeded; only a retry policy keeps a
        // batch that failed (storage down) from being skipped. Bad events never fail it (they go to dead-letter).
        var retry = Function("IngestEvents").GetProperty("retry");
        Assert.Equal("exponentialBackoff", retry.GetProperty("strategy").GetString());
        Assert.Equal(-1, retry.GetProperty("maxRetryCount").GetInt32());
        Assert.Equal("00:00:05", retry.GetProperty("minimumInterval").GetString());
        Assert.Equal("00:05:00", retry.GetProperty("maximumInterval").GetString());
    }

    [Fact]
    public void Health_Metadata_IsAnonymousGetOnHealthRoute()
    {
        var function = Function("Health");
        var bindings = function.GetProperty("bindings").EnumerateArray().ToList();
        Assert.Equal(2, bindings.Count);

        var trigger = bindings.Single(b => b.GetProperty("direction").GetString() == "In");
        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
        Assert.Equal("health", trigger.GetProperty("route").GetString());
        Assert.Equal(["get"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()));

        var output = bindings.Single(b => b.GetProperty("direction").GetString() == "Out");
        Assert.Equal("http", output.GetProperty("type").GetString());
        Assert.Equal("$return", output.GetProperty("name").GetString());
    }

    [Fact]
    public void HttpFunctions_Metadata_FunctionKeyOnAllButHealth()
    {
        var triggers = HttpTriggers().ToList();
        Assert.Contains(triggers, t => t.Name == "Predict");
        Assert.True(triggers.Count >= 8, $"only {triggers.Count} HTTP functions found");
        foreach (var (name, trigger) in triggers)
        {
            Assert.True(
                (name == "Health" ? "Anonymous" : "Function") == trigger.GetProperty("authLevel").GetString(),
                $"{name}: authLevel {trigger.GetProperty("authLevel").GetString()}");
        }
    }

    [Fact]
    public void MaterializeFeatures_Metadata_IsTimerTriggerWithScheduleFromAppSetting()
    {
        var function = Function("MaterializeFeatures");
        Assert.Equal("Brisa.Functions.Materialization.MaterializeFeaturesFunction.Run", function.GetProperty("entryPoint").GetString());

        var binding = Assert.Single(function.GetProperty("bindings").EnumerateArray());
        Assert.Equal("timer", binding.GetProperty("name").GetString());
        Assert.Equal("timerTrigger", binding.GetProperty("type").GetString());
        Assert.Equal("In", binding.GetProperty("direction").GetString());
        Assert.Equal("%Brisa:MaterializeSchedule%", binding.GetProperty("schedule").GetString());
    }

    [Fact]
    public void RetrainModels_Metadata_TimerFromAppSettingAndQueueOnRetrain()
    {
        var timer = Assert.Single(Function("RetrainModels").GetProperty("bindings").EnumerateArray());
        Assert.Equal("timerTrigger", timer.GetProperty("type").GetString());
        Assert.Equal("%Brisa:RetrainSchedule%", timer.GetProperty("schedule").GetString());

        var queue = Assert.Single(Function("RetrainModelOnRequest").GetProperty("bindings").EnumerateArray());
        Assert.Equal("queueTrigger", queue.GetProperty("type").GetString());
        Assert.Equal("retrain", queue.GetProperty("queueName").GetString());
        Assert.Equal("AzureWebJobsStorage", queue.GetProperty("connection").GetString());
    }

    [Fact]
    public void MonitorDrift_Metadata_TimerFromAppSettingAndReportRoute()
    {
        var timer = Assert.Single(Function("MonitorDrift").GetProperty("bindings").EnumerateArray());
        Assert.Equal("%Brisa:MonitorDriftSchedule%", timer.GetProperty("schedule").GetString());

        var http = Function("Monitoring").GetProperty("bindings").EnumerateArray().First(b => b.GetProperty("type").GetString() == "httpTrigger");
        Assert.Equal("monitoring/{model}", http.GetProperty("route").GetString());
    }

    [Fact]
    public void MaterializeSlice_Metadata_IsQueueTriggerOnMaterializeQueue()
    {
        var function = Function("MaterializeSlice");
        Assert.Equal("Brisa.Functions.Materialization.MaterializeSliceFunction.Run", function.GetProperty("entryPoint").GetString());

        var binding = Assert.Single(function.GetProperty("bindings").EnumerateArray());
        Assert.Equal("message", binding.GetProperty("name").GetString());
        Assert.Equal("queueTrigger", binding.GetProperty("type").GetString());
        Assert.Equal("In", binding.GetProperty("direction").GetString());
        Assert.Equal("materialize", binding.GetProperty("queueName").GetString());
        Assert.Equal("AzureWebJobsStorage", binding.GetProperty("connection").GetString());
        Assert.Equal("String", binding.GetProperty("dataType").GetString());
    }

    [Fact]
    public void LocalSettings_SetEveryMaterializationSetting()
    {
        var path = Path.Combine(RepositoryPaths.Root, "src", "Brisa.Functions", "local.settings.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var values = document.RootElement.GetProperty("Values");
        Assert.Equal("0 */15 * * * *", values.GetProperty("Brisa:MaterializeSchedule").GetString());
        Assert.True(values.TryGetProperty("AzureWebJobsStorage", out _));
    }

    [Fact]
    public void FunctionNames_Metadata_AreUnique()
    {
        var names = Metadata.Value.EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    /// <summary>Every HTTP-triggered function with its trigger binding.</summary>
    internal static IEnumerable<(string Name, JsonElement Trigger)> HttpTriggers() =>
        Metadata.Value.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray().Select(b => (Name: f.GetProperty("name").GetString()!, Binding: b)))
            .Where(x => x.Binding.GetProperty("type").GetString() == "httpTrigger");

    private static JsonElement Function(string name)
    {
        var matches = Metadata.Value.EnumerateArray().Where(f => f.GetProperty("name").GetString() == name).ToList();
        return Assert.Single(matches);
    }

    private static JsonElement Load()
    {
        // Copied next to this assembly from Brisa.Functions' output (the SDK adds it to CopyToOutputDirectory items).
        var path = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        Assert.True(File.Exists(path), $"functions.metadata not found at {path}; build src/Brisa.Functions first.");
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.Clone();
    }
}
