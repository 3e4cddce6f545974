using Brisa.Core.Training;

namespace Brisa.Core.Tests.Training;

public sealed class RetrainRequestTests
{
    [Fact]
    public void Parse_ModelAndReason_Read()
    {
        Assert.Equal(new RetrainRequest("fraud", "drift"), RetrainRequest.Parse("""{"model":"fraud","reason":"drift"}"""));
    }

    [Theory]
    [InlineData("""{"reason":"drift"}""", "needs a 'model' string")]
    [InlineData("""{"model":42}""", "needs a 'model' string")]
    [InlineData("""not json""", "not JSON")]
    public void Parse_Malformed_FormatExceptionSaysWhat(string message, string expected)
    {
        Assert.Contains(expected, Assert.Throws<FormatException>(() => RetrainRequest.Parse(message)).Message, StringComparison.Ordinal);
    }
}
