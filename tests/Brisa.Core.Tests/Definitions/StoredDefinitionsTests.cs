using System.Reflection;
using System.Text.RegularExpressions;
using Brisa.Core.Definitions;

namespace Brisa.Core.Tests.Definitions;

/// <summary>
/// Definitions read back from the registry were applied by some release, perhaps an earlier one: a policy rule added
/// since is a warning there, every other rule still fails the read.
/// </summary>
public class StoredDefinitionsTests
{
    private static string SampleJson() => SampleDefinitionsTests.LoadSample().ToJson(indented: false);

    [Fact]
    public void FromJson_TrainerParameterOutOfRange_LoadsWithTheRuleAsStoredWarning()
    {
        var json = SampleJson().Replace("\"learning_rate\":\"0.05\"", "\"learning_rate\":\"-0.05\"", StringComparison.Ordinal);

        var loaded = FeatureRepositoryDefinition.FromJson(json);

        var warning = Assert.Single(loaded.StoredWarnings);
        Assert.Equal((DiagnosticSeverity.Warning, DiagnosticCodes.TrainerParameterOutOfRange), (warning.Severity, warning.Code));
        Assert.Equal(
            "the applied definitions break rule BR0525: parameter 'learning_rate' of trainer 'lightgbm' must be greater than 0 but is -0.05. Use e.g. 0.05: training would stop at it, or fit a model that predicts nothing. Fix it before the next apply: validate, plan and apply refuse a file that breaks it.",
            warning.DescribeAsStored());
        Assert.Equal("-0.05", loaded.FindModel("fraud")!.Trainer.Parameters["learning_rate"]);
    }

    [Fact]
    public void FromJson_OnDemandFeatureNamedLikeItsModelsRequestField_LoadsCompiledWithStoredWarning()
    {
        var json = SampleJson().Replace("log_amount", "channel", StringComparison.Ordinal);

        var loaded = FeatureRepositoryDefinition.FromJson(json);

        Assert.Equal(DiagnosticCodes.NameClash, Assert.Single(loaded.StoredWarnings).Code);
        Assert.NotNull(loaded.FindOnDemandFeature("channel")!.Compiled);
    }

    [Fact]
    public void FromJson_EmptyAllowedList_LoadsWithTheRuleAsStoredWarning()
    {
        // Applied before the rule: the instances keep running (they dead-letter that source's events, as before).
        var json = SampleJson().Replace("\"allowed\":[\"pos\",\"online\",\"atm\"]", "\"allowed\":[]", StringComparison.Ordinal);

        var loaded = FeatureRepositoryDefinition.FromJson(json);

        Assert.Equal(DiagnosticCodes.InvalidRange, Assert.Single(loaded.StoredWarnings).Code);
        Assert.Empty(loaded.FindSource("transaction")!.FindField("channel")!.Allowed!);
    }

    [Fact]
    public void FromJson_LabelKeyOfAnotherTypeInTheLabelSource_LoadsWithTheRuleAsStoredWarning()
    {
        // Applied before the rule: labels still match by the key's text, as they did.
        var json = SampleJson();
        var chargeback = json.IndexOf("\"name\":\"chargeback\"", StringComparison.Ordinal);
        const string Text = "{\"name\":\"transaction_id\",\"type\":\"string\"";
        var key = json.IndexOf(Text, chargeback, StringComparison.Ordinal);
        json = json[..key] + "{\"name\":\"transaction_id\",\"type\":\"long\"" + json[(key + Text.Length)..];

        var loaded = FeatureRepositoryDefinition.FromJson(json);

        Assert.Equal(DiagnosticCodes.LabelKeyType, Assert.Single(loaded.StoredWarnings).Code);
        Assert.Equal(FieldType.Long, loaded.FindSource("chargeback")!.FindField("transaction_id")!.Type);
    }

    [Fact]
    public void FromJson_PolicyAndOtherRuleBroken_ThrowsWithTheOtherRuleOnly()
    {
        var json = SampleJson()
            .Replace("\"learning_rate\":\"0.05\"", "\"learning_rate\":\"-0.05\"", StringComparison.Ordinal)
            .Replace("\"entity\":\"merchant\"", "\"entity\":\"merchnt\"", StringComparison.Ordinal);

        var error = Assert.Throws<InvalidDataException>(() => FeatureRepositoryDefinition.FromJson(json));

        Assert.Contains("definitions.json: error BR0102: unknown entity 'merchnt'.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("BR0525", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromJson_FraudSample_NoStoredWarnings()
    {
        Assert.Empty(FeatureRepositoryDefinition.FromJson(SampleJson()).StoredWarnings);
    }

    [Fact]
    public void IsPolicy_DefinitionsDoc_ListsExactlyThePolicyRules()
    {
        // docs/definitions.md, "Upgrades": the rule an operator reads must be the one the loader applies.
        var docs = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(SampleDefinitionsTests.SamplePath())))!, "docs", "definitions.md");
        var text = File.ReadAllText(docs);
        var start = text.IndexOf("The policy rules:", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/definitions.md lists the policy rules after 'The policy rules:'");
        var listed = Regex.Matches(text[start..text.IndexOf("\n\n", start, StringComparison.Ordinal)], "`(BR\\d{4})`").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal);
        var codes = typeof(DiagnosticCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetRawConstantValue()!);

        Assert.Equal(codes.Where(DiagnosticCodes.IsPolicy).Order(StringComparer.Ordinal), listed);
    }
}
