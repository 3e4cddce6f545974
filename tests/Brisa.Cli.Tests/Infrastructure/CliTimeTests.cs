namespace Brisa.Cli.Tests.Infrastructure;

public sealed class CliTimeTests
{
    [Theory]
    [InlineData("2026-05-01", "2026-05-01T00:00:00.0000000+00:00")]
    [InlineData("2026-05-01T06:00", "2026-05-01T06:00:00.0000000+00:00")]
    [InlineData("2026-05-01T06:00Z", "2026-05-01T06:00:00.0000000+00:00")]
    [InlineData("2026-05-01 06:00:30", "2026-05-01T06:00:30.0000000+00:00")]
    [InlineData("2026-05-01T06:00:00.25+02:00", "2026-05-01T04:00:00.2500000+00:00")]
    public void Parse_IsoTime_UtcUnlessAnOffsetIsGiven(string text, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), CliTime.Parse(text));
        Assert.Equal(TimeSpan.Zero, CliTime.Parse(text)!.Value.Offset);
    }

    [Theory]
    [InlineData("01/05/2026")]
    [InlineData("May 1, 2026")]
    [InlineData("1 May 2026")]
    [InlineData("2026-05-01Z")]
    [InlineData("2026-13-01")]
    [InlineData("last tuesday")]
    [InlineData("")]
    [InlineData(null)]
    public void Parse_NotAnIsoTime_Null(string? text) => Assert.Null(CliTime.Parse(text));
}
