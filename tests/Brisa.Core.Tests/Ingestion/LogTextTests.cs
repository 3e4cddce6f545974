using Brisa.Core.Ingestion;

namespace Brisa.Core.Tests.Ingestion;

public sealed class LogTextTests
{
    [Fact]
    public void Printable_ControlCharacters_EachShownAsOneVisibleCharacter()
    {
        var printable = LogText.Printable("a\nb\r\tc\u001b[2J\u007f\u009bé€");

        Assert.Equal("a\u240ab\u240d\u2409c\u241b[2J\u2421\ufffdé€", printable);
    }

    [Fact]
    public void Printable_NoControlCharacter_SameInstance()
    {
        const string Text = "customer c-1 'é'";

        Assert.Same(Text, LogText.Printable(Text));
    }
}
