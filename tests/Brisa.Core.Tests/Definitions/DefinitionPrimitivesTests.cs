using Brisa.Core.Definitions;

namespace Brisa.Core.Tests.Definitions;

public class DefinitionPrimitivesTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData("7d", 604800)]
    [InlineData("90m", 5400)]
    [InlineData("3650d", 315360000)]
    [InlineData("87600h", 315360000)]
    public void TryParse_ValidDuration_ReturnsSeconds(string text, long seconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0s")]
    [InlineData("05m")]
    [InlineData("1.5h")]
    [InlineData("1w")]
    [InlineData("h")]
    [InlineData("-1h")]
    [InlineData("1 h")]
    [InlineData("1H")]
    [InlineData("9999999999d")]
    [InlineData("3651d")]
    [InlineData("999999999d")]
    public void TryParse_InvalidDuration_ReturnsFalse(string text) => Assert.False(Durations.TryParse(text, out _));

    [Theory]
    [InlineData(30, "30s")]
    [InlineData(5400, "90m")]
    [InlineData(7200, "2h")]
    [InlineData(172800, "2d")]
    [InlineData(90000, "25h")]
    public void Format_Duration_UsesLargestExactUnit(long seconds, string expected) =>
        Assert.Equal(expected, Durations.Format(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("customer_7d:amount_mean_7d", "customer_7d", "amount_mean_7d")]
    [InlineData("customer_7d.amount_mean_7d", "customer_7d", "amount_mean_7d")]
    [InlineData("amount_zscore", null, "amount_zscore")]
    public void TryParse_FeatureReference_SplitsViewAndName(string text, string? view, string name)
    {
        Assert.True(FeatureReference.TryParse(text, out var reference));
        Assert.Equal(view, reference.View);
        Assert.Equal(name, reference.Name);
        Assert.Equal(view is null, reference.IsOnDemand);
    }

    [Theory]
    [InlineData(":x")]
    [InlineData("v:")]
    [InlineData("a:b:c")]
    [InlineData(" ")]
    public void TryParse_BadFeatureReference_ReturnsFalse(string text) => Assert.False(FeatureReference.TryParse(text, out _));

    [Fact]
    public void ToString_FeatureReference_UsesColon() =>
        Assert.Equal("customer_7d:amount_mean_7d", FeatureReference.Parse("customer_7d.amount_mean_7d").ToString());

    [Theory]
    [InlineData("custmer", "customer")]
    [InlineData("cusotmer", "customer")]
    [InlineData("merchant", "merchant")]
    [InlineData("xyz", null)]
    public void Closest_Typo_SuggestsNearestName(string name, string? expected) =>
        Assert.Equal(expected, NameSuggestions.Closest(name, ["customer", "merchant"]));

    [Fact]
    public void Hint_NameDefinedTwice_ListsItOnce() =>
        // Defined twice is an error of its own (BR0101); the hints of the references that follow should not repeat it.
        Assert.Equal("Did you mean 'customer_1h'? Known feature views: customer_1h, customer_7d", NameSuggestions.Hint("customer_2h", ["customer_1h", "customer_7d", "customer_1h"], "feature views"));

    [Theory]
    [InlineData("0 0 3 * * *", null)]
    [InlineData("*/30 * * * * MON-FRI", null)]
    [InlineData("0 0 3 * *", "it has 5 fields, NCRONTAB needs 6")]
    [InlineData("0 60 3 * * *", "60 is out of range 0-59 in the minute field")]
    [InlineData("0 0 3 * * x", "'x' is not valid in the day-of-week field")]
    [InlineData("0 */0 * * * *", "the step in the minute field '*/0' must be a positive number")]
    public void NcrontabProblem_Schedule_ReportsProblem(string schedule, string? expected) =>
        Assert.Equal(expected, DefinitionValidator.NcrontabProblem(schedule));

    [Fact]
    public void ToString_Diagnostic_IsCompilerStyle()
    {
        var diagnostic = new DefinitionDiagnostic("features.yaml", 12, 7, DiagnosticSeverity.Error, "BR0305", "window '90m' of feature 'txn_count_1h' is not a multiple of the view's tile '1h'", "Use a multiple of 1h, e.g. 1h or 2h.");

        Assert.Equal("features.yaml:12:7: error BR0305: window '90m' of feature 'txn_count_1h' is not a multiple of the view's tile '1h'. Use a multiple of 1h, e.g. 1h or 2h.", diagnostic.ToString());
    }

    [Fact]
    public void Parse_Warnings_StillLoad()
    {
        var yaml = File.ReadAllText(SampleDefinitionsTests.SamplePath()).Replace("    ttl: 2h\n    online: true", "    ttl: 1m\n    online: true", StringComparison.Ordinal);

        var result = DefinitionLoader.Parse(yaml, "features.yaml");

        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal("BR0308", warning.Code);
        Assert.NotNull(result.Definitions);
    }

    [Fact]
    public void Parse_ExpressionErrorsInSingleQuotedScalar_PointInsideTheExpression()
    {
        var yaml = """
            project: p
            on_demand_features:
              - name: f
                type: double
                request_fields: [ { name: a, type: double } ]
                expression: 'a + ''x'' + b'
            """;

        var result = DefinitionLoader.Parse(yaml, "f.yaml");

        Assert.Equal(
            [
                "f.yaml:6:20: error BR0404: expression of on-demand feature 'f': operator '+' cannot be applied to double and string. '+' adds two numbers or concatenates two strings.",
                "f.yaml:6:30: error BR0402: expression of on-demand feature 'f': unknown identifier 'b'. Known request fields: a. Declare it under request_fields, or refer to a view feature as view.feature.",
            ],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Theory]
    [InlineData("999999999d")]
    [InlineData("99999999999999999999d")]
    [InlineData("9999999999w")]
    [InlineData("3651d")]
    [InlineData("87601h")]
    public void Parse_DurationTooLong_ReportsItAtItsPosition(string ttl)
    {
        // Past TimeSpan's range it threw (an error without a position, exit code 1); below it, a window of millions of
        // years passed validate and apply and then failed every instance that compiled or trained the view.
        var yaml = File.ReadAllText(SampleDefinitionsTests.SamplePath()).Replace("    ttl: 2h\n    online: true", $"    ttl: {ttl}\n    online: true", StringComparison.Ordinal);

        var result = DefinitionLoader.Parse(yaml, "features.yaml");

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal($"features.yaml:48:10: error BR0007: invalid duration '{ttl}' for 'ttl' of feature view 'customer_1h'. A duration is at most 3650d (ten years).", error.ToString());
        Assert.Null(result.Definitions);
    }

    [Fact]
    public void Parse_ListsNestedTooDeep_ReportsWhereInsteadOfOverflowingTheStack()
    {
        // 200 KB of brackets: YamlDotNet builds nodes recursively, and a stack overflow kills the process (validate,
        // plan, apply, or a test host) without any message.
        var yaml = "project: p\ndescription: " + new string('[', 100_000) + new string(']', 100_000) + "\n";

        var result = DefinitionLoader.Parse(yaml, "f.yaml");

        Assert.Equal(
            "f.yaml:2:113: error BR0001: invalid YAML: lists and mappings are nested more than 100 deep. A definitions file needs a few levels; check the indentation, and that brackets are closed where they should be.",
            Assert.Single(result.Diagnostics).ToString());
    }
}
