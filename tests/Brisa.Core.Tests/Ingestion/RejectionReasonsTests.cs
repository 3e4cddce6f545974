using Brisa.Core.Ingestion;

namespace Brisa.Core.Tests.Ingestion;

public sealed class RejectionReasonsTests
{
    private const string Jpy = "field 'currency': 'JPY' is not allowed; allowed: EUR, USD, GBP";

    [Theory]
    [InlineData("field 'amount': -3 is below the minimum 0", "field 'amount': # is below the minimum #")]
    [InlineData(Jpy, Jpy)]
    [InlineData("duplicate event id 'e-1' at 2026-11-29T11:00:00.5Z within the batch (the first one was taken)", "duplicate event id '…' at <time> within the batch (the first one was taken)")]
    [InlineData(
        "field 'timestamp': 2026-11-29T14:55:00Z is 3.5h in the future (the message arrived at 2026-11-29T11:25:00.5Z); at most 5m of clock skew is allowed",
        "field 'timestamp': <time> is #h in the future (the message arrived at <time>); at most #m of clock skew is allowed")]
    [InlineData("missing required field 'line2'", "missing required field 'line2'")]
    [InlineData("field 'timestamp': expected an ISO 8601 timestamp such as \"2026-11-29T14:55:00Z\", got 'yesterday'", "field 'timestamp': expected an ISO 8601 timestamp such as \"<time>\", got '…'")]
    public void Group_Reason_MasksWhatVariesPerEvent(string reason, string expected)
    {
        Assert.Equal(expected, RejectionReasons.Group(reason));
    }

    [Fact]
    public void Count_SameAndVaryingReasons_FullReasonOnlyWhenAllTheSame()
    {
        var counts = RejectionReasons.Count([Jpy, "field 'amount': -3 is below the minimum 0", Jpy, "field 'amount': -7 is below the minimum 0", "field 'amount': -7 is below the minimum 0"]);

        Assert.Equal([new ReasonCount("field 'amount': # is below the minimum #", 3, "field 'amount': -3 is below the minimum 0"), new ReasonCount(Jpy, 2, Jpy)], counts);
    }
}
