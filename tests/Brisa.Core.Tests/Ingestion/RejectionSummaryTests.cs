using Brisa.Core.Ingestion;

namespace Brisa.Core.Tests.Ingestion;

public sealed class RejectionSummaryTests
{
    private const string Jpy = "field 'currency': 'JPY' is not allowed; allowed: EUR, USD, GBP";

    [Fact]
    public void Describe_Rejections_SourcesMostRejectedFirstWithTheirReasonGroups()
    {
        RejectedEvent[] rejections =
        [
            Rejection(null, "unknown event type 'com.example.x'"), Rejection("transaction", Jpy),
            Rejection("transaction", "field 'amount': -5 is below the minimum 0"), Rejection("transaction", Jpy),
            Rejection("chargeback", "missing required field 'amount'"), Rejection("transaction", "field 'amount': -7 is below the minimum 0"),
            Rejection(null, "unknown event type 'com.example.x'"), Rejection("transaction", Jpy),
        ];

        Assert.Equal("transaction, _unrouted, chargeback", RejectionSummary.Sources(rejections));
        Assert.Equal(
            "transaction 5 [3× " + Jpy + " | 2× field 'amount': # is below the minimum #]; _unrouted 2 [2× unknown event type 'com.example.x']; " +
            "chargeback 1 [1× missing required field 'amount']",
            RejectionSummary.Describe(rejections));
    }

    [Fact]
    public void Describe_ManySourcesAndLongReasons_BoundedAndPrintable()
    {
        var rejections = Enumerable.Range(0, 10_000)
            .Select(i => Rejection($"source_{i % 7}", $"field 'f{i % 11}': '\u001b[31m{new string('x', 5_000)}' is not allowed"))
            .ToArray();

        var text = RejectionSummary.Describe(rejections);

        Assert.InRange(text.Length, 1, RejectionSummary.MaxSources * (RejectionSummary.MaxReasons + 1) * (RejectionSummary.MaxReasonLength + 40));
        Assert.DoesNotContain('\u001b', text);
        Assert.Contains("'\u241b[31mxxx", text, StringComparison.Ordinal);
        Assert.Contains("x…", text, StringComparison.Ordinal);
        Assert.Contains("× other (8 reasons)]", text, StringComparison.Ordinal);
        Assert.EndsWith("; 5713 more in 4 other source(s)", text, StringComparison.Ordinal);
    }

    private static RejectedEvent Rejection(string? source, string reason) => new("{}"u8.ToArray(), null, source, reason);
}
