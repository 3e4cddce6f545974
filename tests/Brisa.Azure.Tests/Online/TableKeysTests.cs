using Brisa.Azure.Online;

namespace Brisa.Azure.Tests.Online;

public sealed class TableKeysTests
{
    public static TheoryData<string> AwkwardKeys => new()
    {
        "c1",
        "",
        "a/b\\c#d?e",
        "quote\"apostrophe'",
        "percent%41literal",
        "ctrl\u0001\u001f\u007f\u0085end",
        "ключ-日本-🙂",
        "lone\ud800surrogate",
        "k~looks-encoded",
    };

    [Theory]
    [MemberData(nameof(AwkwardKeys))]
    public void Encode_AwkwardKey_DecodesToSameKey(string key)
    {
        var encoded = TableKeys.Encode(key);

        Assert.Equal(key, TableKeys.TryDecode(encoded));
    }

    [Theory]
    [MemberData(nameof(AwkwardKeys))]
    public void Encode_AwkwardKey_HasNoCharacterTablesForbid(string key)
    {
        var encoded = TableKeys.Encode(key);

        Assert.DoesNotContain(encoded, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
    }

    [Fact]
    public void Encode_LongKey_DigestWithinTableLimit()
    {
        var key = new string('é', 2048);

        var encoded = TableKeys.Encode(key);

        Assert.StartsWith("h~", encoded);
        Assert.True(encoded.Length <= 1024);
        Assert.Null(TableKeys.TryDecode(encoded));
        Assert.NotEqual(encoded, TableKeys.Encode(key + "x"));
    }

    [Fact]
    public void Encode_DistinctKeys_DistinctPartitionKeys()
    {
        var keys = new[] { "a/b", "a%002Fb", "a%2Fb", "a?b", "a#b" };

        Assert.Equal(keys.Length, keys.Select(TableKeys.Encode).Distinct().Count());
    }
}
