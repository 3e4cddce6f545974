using Brisa.Functions.Http;
using Microsoft.AspNetCore.Http;

namespace Brisa.Functions.Tests.Http;

public sealed class ContentNegotiationTests
{
    [Theory]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8", true)]
    [InlineData("text/html", true)]
    [InlineData("application/json;q=0.5, text/html", true)]
    [InlineData("*/*", false)]
    [InlineData("application/json", false)]
    [InlineData("text/html;q=0.4, application/json", false)]
    [InlineData("", false)]
    [InlineData("not a media type", false)]
    public void PrefersHtml_AcceptHeader_HtmlOnlyWhenRankedAboveJson(string accept, bool expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Accept = accept;

        Assert.Equal(expected, ContentNegotiation.PrefersHtml(context.Request));
    }
}
