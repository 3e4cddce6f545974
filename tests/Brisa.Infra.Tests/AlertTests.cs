using System.Text.Json;
using System.Text.RegularExpressions;
using Brisa.Azure.Models;
using Brisa.Testing;

namespace Brisa.Infra.Tests;

/// <summary>
/// infra/modules/alerts.bicep: the action group, the availability test on <c>/api/health</c>, the log alerts and the
/// Event Hubs throttling alert (docs/operations.md, "Alerts"). A log alert's query must filter on text the code
/// actually logs: each fragment is looked up in the log templates of src/, so rewording a message fails here.
/// </summary>
public sealed partial class AlertTests
{
    private const string ActionGroupId = "[resourceId('Microsoft.Insights/actionGroups', format('ag-{0}', parameters('nameSuffix')))]";
    // The two AppRequests filters: a failed invocation (background functions), an HTTP answer 5xx (HTTP functions).
    private const string FailedInvocation = "Success == false";
    private const string ServerError = "toint(ResultCode) >= 500";

    private const string HealthTestId = "[resourceId('Microsoft.Insights/webtests', format('avail-health-{0}', parameters('nameSuffix')))]";

    // Placeholders whose values are an enum's names: a query may filter on a message with the value filled in
    // ("Retrained fraud: Promoted (…"), so templates are also matched with each value in place of the placeholder.
    private static readonly Dictionary<string, string[]> PlaceholderValues = new(StringComparer.Ordinal)
    {
        ["Status"] = Enum.GetNames<TrainingRunStatus>(),
    };

    [Fact]
    public async Task LogAlerts_FilterOnlyOnMessageFragmentsTheCodeLogs()
    {
        var templates = LogTemplates();
        var alerts = LogAlerts(await Arm.MainAsync());
        Assert.All(alerts, a => Assert.True(Query(a).StartsWith("AppTraces", StringComparison.Ordinal) || Query(a).StartsWith("AppRequests", StringComparison.Ordinal),
            $"log alert {Name(a)} reads neither AppTraces (checked here) nor AppRequests (checked against functions.metadata)"));
        var missing = new List<string>();
        foreach (var alert in alerts.Where(a => Query(a).StartsWith("AppTraces", StringComparison.Ordinal)))
        {
            var fragments = Fragments(Query(alert)).ToList();
            Assert.True(fragments.Count > 0, $"log alert {Name(alert)} reads AppTraces without filtering on a message fragment the test can check");
            missing.AddRange(fragments.Where(f => !templates.Any(t => t.Contains(f, StringComparison.Ordinal))).Select(f => $"{Name(alert)}: \"{f}\""));
        }

        Assert.True(missing.Count == 0, "log alert fragments found in no log template under src/:\n" + string.Join('\n', missing));
    }

    [Fact]
    public async Task RejectedEventsAlert_SumsTheCountEveryRejectionMessageStartsWith()
    {
        var alert = Assert.Single(LogAlerts(await Arm.MainAsync()), a => Name(a) == "events-rejected");
        Assert.Contains("""extract(@"^(\d+) of ", 1, Message)""", Query(alert), StringComparison.Ordinal);
        Assert.Equal("Rejected", alert.GetProperty("measure").GetString());
        Assert.Equal("[parameters('rejectedEventsThreshold')]", alert.GetProperty("threshold").GetString());

        // Both ways in (IngestEvents and POST /api/events) log it, each starting with the rejected count.
        var fragment = Assert.Single(Fragments(Query(alert)));
        var rejections = LogTemplates().Where(t => t.Contains(fragment, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rejections.Count);
        Assert.All(rejections, t => Assert.StartsWith("{Rejected} of {Events} events", t, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FailedInvocationAlerts_CoverEveryFunctionWithoutAnHttpTrigger()
    {
        var byAlert = LogAlerts(await Arm.MainAsync())
            .Where(a => Query(a).StartsWith("AppRequests", StringComparison.Ordinal) && Query(a).Contains(FailedInvocation, StringComparison.Ordinal))
            .ToDictionary(Name, a => FunctionNames(Query(a)));

        // IngestEvents alone at severity 1: its failure holds a partition; the others fail a run that the next one repeats.
        Assert.Equal(["IngestEvents"], byAlert["ingest-failed"]);
        Assert.Equal(1, Assert.Single(LogAlerts(await Arm.MainAsync()), a => Name(a) == "ingest-failed").GetProperty("severity").GetInt32());
        var covered = byAlert.Values.SelectMany(n => n).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(BackgroundFunctions().Order(StringComparer.Ordinal), covered);
    }

    [Fact]
    public async Task ServerErrorAlert_CoversEveryHttpFunctionButHealth()
    {
        var requests = LogAlerts(await Arm.MainAsync()).Where(a => Query(a).StartsWith("AppRequests", StringComparison.Ordinal)).ToList();
        Assert.All(requests, a => Assert.True(Query(a).Contains(FailedInvocation, StringComparison.Ordinal) ^ Query(a).Contains(ServerError, StringComparison.Ordinal),
            $"log alert {Name(a)} reads AppRequests filtering on neither '{FailedInvocation}' nor '{ServerError}' (or both)"));
        var alert = Assert.Single(requests, a => Query(a).Contains(ServerError, StringComparison.Ordinal));

        // Health answers 503 when a check fails: the availability alert watches it, from 2 of 5 locations so that one
        // location's trouble pages nobody, which an alert on any 5xx would undo. Every other HTTP function is here.
        var health = Assert.Single(Triggers(), t => IsHttp(t.Binding) && t.Binding.GetProperty("route").GetString() == "health").Function;
        var http = Triggers().Where(t => IsHttp(t.Binding) && t.Function != health).Select(t => t.Function).Order(StringComparer.Ordinal);
        Assert.Equal(http, FunctionNames(Query(alert)).Order(StringComparer.Ordinal));
        Assert.Equal("Name", alert.GetProperty("dimension").GetString());
    }

    [Fact]
    public async Task HealthTest_CallsTheAnonymousHealthEndpoint_AndItsAlertWatchesIt()
    {
        var main = await Arm.MainAsync();
        var test = Assert.Single(Arm.OfType(main, "Microsoft.Insights/webtests")).Resource;
        Assert.Equal("standard", test.GetProperty("kind").GetString());
        var request = test.GetProperty("properties").GetProperty("Request");
        Assert.Equal("[format('https://{0}/api/health', parameters('functionAppHostName'))]", request.GetProperty("RequestUrl").GetString());
        Assert.Equal(200, test.GetProperty("properties").GetProperty("ValidationRules").GetProperty("ExpectedHttpStatusCode").GetInt32());
        var host = AlertsModuleParameter(main, "functionAppHostName");
        Assert.StartsWith("[reference(resourceId('Microsoft.Resources/deployments', 'functionapp'), ", host, StringComparison.Ordinal);
        Assert.EndsWith(").outputs.defaultHostName.value]", host, StringComparison.Ordinal);

        // The test calls without a key: the endpoint must stay anonymous, on the route the URL names.
        var health = Assert.Single(Triggers(), t => IsHttp(t.Binding) && t.Binding.GetProperty("route").GetString() == "health");
        Assert.Equal("Anonymous", health.Binding.GetProperty("authLevel").GetString(), ignoreCase: true);

        var alert = Assert.Single(MetricAlerts(main), a => Criteria(a).GetProperty("odata.type").GetString() == "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria");
        Assert.Equal(HealthTestId, Criteria(alert).GetProperty("webTestId").GetString());
        Assert.Contains(HealthTestId, alert.GetProperty("properties").GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.True(test.GetProperty("tags").ToString().Contains("hidden-link:", StringComparison.Ordinal), "the test needs its hidden-link tag to report into Application Insights");
    }

    [Fact]
    public async Task ThrottlingAlert_WatchesTheNamespacesThrottledRequests_AtItsThresholdParameter()
    {
        var main = await Arm.MainAsync();
        var alert = Assert.Single(MetricAlerts(main), a => Criteria(a).GetProperty("odata.type").GetString() == "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria");
        var criterion = Assert.Single(Criteria(alert).GetProperty("allOf").EnumerateArray());
        Assert.Equal("Microsoft.EventHub/namespaces", criterion.GetProperty("metricNamespace").GetString());
        Assert.Equal("ThrottledRequests", criterion.GetProperty("metricName").GetString());
        Assert.Equal("[parameters('throttledRequestsThreshold')]", criterion.GetProperty("threshold").GetString());
        Assert.Equal("[parameters('eventHubsThrottledRequestsAlertThreshold')]", AlertsModuleParameter(main, "throttledRequestsThreshold"));
        Assert.Equal(["[resourceId('Microsoft.EventHub/namespaces', parameters('eventHubsNamespaceName'))]"], alert.GetProperty("properties").GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("[variables('names').eventHubsNamespace]", AlertsModuleParameter(main, "eventHubsNamespaceName"));
    }

    [Fact]
    public async Task EveryAlert_NotifiesTheActionGroup_WhoseEmailsComeFromTheParameter()
    {
        var main = await Arm.MainAsync();
        var group = Assert.Single(Arm.OfType(main, "Microsoft.Insights/actionGroups")).Resource;
        var receivers = Assert.Single(group.GetProperty("properties").GetProperty("copy").EnumerateArray());
        Assert.Equal("emailReceivers", receivers.GetProperty("name").GetString());
        Assert.Equal("[length(parameters('emailAddresses'))]", receivers.GetProperty("count").GetString());
        Assert.Equal("[parameters('alertEmailAddresses')]", AlertsModuleParameter(main, "emailAddresses"));
        Assert.Equal(0, main.GetProperty("parameters").GetProperty("alertEmailAddresses").GetProperty("defaultValue").GetArrayLength());

        foreach (var alert in MetricAlerts(main))
        {
            Assert.Equal([ActionGroupId], alert.GetProperty("properties").GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("actionGroupId").GetString()));
        }

        var rule = Assert.Single(Arm.OfType(main, "Microsoft.Insights/scheduledQueryRules")).Resource;
        Assert.Equal([ActionGroupId], rule.GetProperty("properties").GetProperty("actions").GetProperty("actionGroups").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["[parameters('workspaceId')]"], rule.GetProperty("properties").GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Parameters_EachEnvironmentSetsItsAlertRecipientsAndThresholds()
    {
        foreach (var env in new[] { "dev", "prod" })
        {
            var parameters = (await Bicep.CompileAsync($"infra/{env}.bicepparam")).GetProperty("parameters");
            Assert.Equal(JsonValueKind.Array, parameters.GetProperty("alertEmailAddresses").GetProperty("value").ValueKind);
            Assert.True(parameters.TryGetProperty("rejectedEventsAlertThreshold", out _), $"{env}: rejectedEventsAlertThreshold is not set");
            Assert.True(parameters.TryGetProperty("eventHubsThrottledRequestsAlertThreshold", out _), $"{env}: eventHubsThrottledRequestsAlertThreshold is not set");
        }
    }

    /// <summary>The entries of the <c>logAlerts</c> variable the log alert rules are a loop over.</summary>
    private static List<JsonElement> LogAlerts(JsonElement main)
    {
        var (rule, template) = Assert.Single(Arm.OfType(main, "Microsoft.Insights/scheduledQueryRules"));
        Assert.Equal("[variables('logAlerts')[copyIndex()].query]", Assert.Single(rule.GetProperty("properties").GetProperty("criteria").GetProperty("allOf").EnumerateArray()).GetProperty("query").GetString());
        return template.GetProperty("variables").GetProperty("logAlerts").EnumerateArray().ToList();
    }

    private static List<JsonElement> MetricAlerts(JsonElement main) =>
        Arm.OfType(main, "Microsoft.Insights/metricAlerts").Select(a => a.Resource).ToList();

    private static JsonElement Criteria(JsonElement metricAlert) => metricAlert.GetProperty("properties").GetProperty("criteria");

    private static string Name(JsonElement alert) => alert.GetProperty("name").GetString()!;

    private static string Query(JsonElement alert) => alert.GetProperty("query").GetString()!;

    private static string AlertsModuleParameter(JsonElement main, string name)
    {
        var module = Assert.Single(Arm.OfType(main, "Microsoft.Resources/deployments"), d => d.Resource.GetProperty("name").GetString() == "alerts").Resource;
        return module.GetProperty("properties").GetProperty("parameters").GetProperty(name).GetProperty("value").GetString()!;
    }

    /// <summary>
    /// The message text a query filters on: the operand of <c>Message contains|startswith|has "…"</c>, and a
    /// <c>parse Message with "a" Column "b" *</c> pattern as the template it reads (<c>a{Column}b</c>).
    /// </summary>
    private static IEnumerable<string> Fragments(string query)
    {
        foreach (Match match in MessageFilter().Matches(query))
        {
            yield return match.Groups["text"].Value;
        }

        foreach (Match match in MessageParse().Matches(query))
        {
            yield return ParseToken().Replace(match.Groups["pattern"].Value.Trim(), t => t.Groups["literal"].Success ? t.Groups["literal"].Value : $"{{{t.Groups["column"].Value}}}");
        }
    }

    /// <summary>The function names of a query's <c>Name in (…)</c>.</summary>
    private static List<string> FunctionNames(string query)
    {
        var list = Assert.Single(NameIn().Matches(query).Cast<Match>());
        return QuotedString().Matches(list.Groups["names"].Value).Select(m => m.Groups["text"].Value).ToList();
    }

    /// <summary>Every function whose trigger is not HTTP (timer, queue, Event Hubs), from the built functions.metadata.</summary>
    private static IEnumerable<string> BackgroundFunctions() =>
        Triggers().Where(t => !IsHttp(t.Binding)).Select(t => t.Function);

    private static bool IsHttp(JsonElement binding) => binding.GetProperty("type").GetString() == "httpTrigger";

    private static List<(string Function, JsonElement Binding)> Triggers() =>
        FunctionsBuild.Bindings().Where(b => b.Binding.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal)).ToList();

    /// <summary>
    /// The log message templates in src/: <c>[LoggerMessage(… Message = "…" + "…")]</c> and the template argument of
    /// <c>logger.LogXxx(…)</c> calls, each also with every known value of its enum placeholders filled in.
    /// </summary>
    private static List<string> LogTemplates()
    {
        var templates = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            var path = file.Replace('\\', '/');
            if (path.Contains("/bin/", StringComparison.Ordinal) || path.Contains("/obj/", StringComparison.Ordinal))
            {
                continue;
            }

            var source = File.ReadAllText(file);
            foreach (Match match in LoggerMessageTemplate().Matches(source).Concat(LoggerCallTemplate().Matches(source)))
            {
                var template = string.Concat(QuotedString().Matches(match.Groups["literals"].Value).Select(m => Regex.Unescape(m.Groups["text"].Value)));
                templates.Add(template);
                foreach (var (placeholder, values) in PlaceholderValues)
                {
                    if (template.Contains($"{{{placeholder}}}", StringComparison.Ordinal))
                    {
                        templates.AddRange(values.Select(v => template.Replace($"{{{placeholder}}}", v, StringComparison.Ordinal)));
                    }
                }
            }
        }

        Assert.True(templates.Count > 20, $"only {templates.Count} log templates found under src/: has the way the code logs changed?");
        return templates;
    }

    [GeneratedRegex(@"Message\s+(?:contains|startswith|has)(?:_cs)?\s+""(?<text>[^""]+)""")]
    private static partial Regex MessageFilter();

    [GeneratedRegex("""parse\s+Message\s+with\s+(?<pattern>.+?)\s*\*""")]
    private static partial Regex MessageParse();

    [GeneratedRegex("""\s*(?:"(?<literal>[^"]*)"|(?<column>\w+)(?::\w+)?)\s*""")]
    private static partial Regex ParseToken();

    [GeneratedRegex("""\bName\s+in\s+\((?<names>[^)]*)\)""")]
    private static partial Regex NameIn();

    [GeneratedRegex(@"""(?<text>(?:[^""\\]|\\.)*)""")]
    private static partial Regex QuotedString();

    [GeneratedRegex("""\[LoggerMessage\([^\]]*?\bMessage\s*=\s*(?<literals>"(?:[^"\\]|\\.)*"(?:\s*\+\s*"(?:[^"\\]|\\.)*")*)""")]
    private static partial Regex LoggerMessageTemplate();

    [GeneratedRegex("""\.Log(?:Trace|Debug|Information|Warning|Error|Critical)\(\s*(?:\w+\s*,\s*)?(?<literals>"(?:[^"\\]|\\.)*")""")]
    private static partial Regex LoggerCallTemplate();
}
