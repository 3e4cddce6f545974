using System.Text;
using System.Text.Json;
using Brisa.Azure.Online;
using Brisa.Core.Serving;
using Brisa.Functions.Ingestion;
using Brisa.Testing;
using Microsoft.AspNetCore.Mvc;

namespace Brisa.Functions.Tests.Reliability;

/// <summary>
/// Entity keys that Table keys forbid or that try to inject OData go in through the push endpoint and come back
/// exactly through online features, each seeing only its own data.
/// </summary>
[Collection(ServingCollection.Name)]
public sealed class HostileKeyTests(ServingFixture serving)
{
    private static readonly string Run = Guid.NewGuid().ToString("N")[..8];

    public static TheoryData<string> Keys => new()
    {
        $"{Run}/slash\\back#hash?query",
        $"{Run}\u0001\u001f\u007fcontrol",
        $"{Run}\tkey\nwith\rbreaks",
        $"{Run}-ключ-日本-🙂-\u00e9",
        $"{Run}-" + new string('ü', 2048),
        $"{Run}'quote''s and %41 percent",
        $"{Run}\ud83d",
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public async Task PushThenOnline_HostileEntityKey_RoundTripsExactlyAndSeesOnlyItsData(string key)
    {
        var events = Enumerable.Range(0, 3)
            .Select(i => new TestTransaction($"{Run}-{Math.Abs(key.GetHashCode(StringComparison.Ordinal))}-{i}", key, "m-hostile", 10 + i, DateTimeOffset.UtcNow.AddMinutes(-5 - i)))
            .ToArray();
        var pushed = await serving.Push().Run(ServingFixture.Request("[" + string.Join(",", events.Select(e => e.ToJson())) + "]", "application/cloudevents-batch+json"), CancellationToken.None);
        Assert.Equal(3, Assert.IsType<PushResponse>(Assert.IsType<OkObjectResult>(pushed).Value).Accepted);

        var response = await ReadAsync([key, key + "x", key[..^1]]);

        Assert.Equal([key, key + "x", key[..^1]], response.Results[0].Values);
        Assert.Equal([3L, null, null], response.Results[1].Values);
        Assert.Equal([12.0, null, null], response.Results[2].Values);
        Assert.Equal(["PRESENT", "NOT_FOUND", "NOT_FOUND"], response.Results[1].Statuses);
        Assert.Equal(key, TableKeys.TryDecode(TableKeys.Encode(key)) ?? key);
    }

    [Theory]
    [InlineData("c1' or PartitionKey ne '")]
    [InlineData("c1' or true or '")]
    [InlineData("') or (PartitionKey gt '")]
    [InlineData("k~c1")]
    public async Task Online_ODataInjectionInEntityKey_OnlyThatAbsentEntity(string injection)
    {
        // A real customer with data exists: an injected filter that widened the query would return its row.
        var response = await ReadAsync([injection, serving.Customer]);

        Assert.Equal([injection, serving.Customer], response.Results[0].Values);
        Assert.Equal(["NOT_FOUND", "PRESENT"], response.Results[1].Statuses);
        Assert.Null(response.Results[1].Values[0]);
    }

    [Fact]
    public async Task Push_HostileIdsSourcesAndKeys_BlobNamesHoldOnlyDefinitionNamesDatesAndDigests()
    {
        var hostile = new TestTransaction("../../registry/current.json", "../../c?x#y", "m/../../z", 5, DateTimeOffset.UtcNow.AddMinutes(-2)).ToJson()
            .Replace("\"source\":\"/tests\"", "\"source\":\"../../deadletter/x?y#z\"", StringComparison.Ordinal);
        var rejected = hostile.Replace("\"amount\":5", "\"amount\":-5", StringComparison.Ordinal).Replace("../../registry/current.json", "../../registry/other.json", StringComparison.Ordinal);
        await serving.Push().Run(ServingFixture.Request($"[{hostile},{rejected}]", "application/cloudevents-batch+json"), CancellationToken.None);

        var names = new List<string>();
        foreach (var container in new[] { "raw", "deadletter" })
        {
            await foreach (var blob in serving.Azurite.Storage.Blobs.GetBlobContainerClient(container).GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, null, CancellationToken.None))
            {
                names.Add(blob.Name);
            }
        }

        Assert.NotEmpty(names);
        Assert.All(names, n => Assert.Matches(@"^(transaction|chargeback|_unrouted)/date=\d{4}-\d{2}-\d{2}/hour=\d{2}/[0-9a-f]{16,64}\.(parquet|jsonl)$", n));
    }

    private async Task<OnlineFeatureResponse> ReadAsync(string[] keys)
    {
        var body = JsonSerializer.Serialize(new { features = new[] { "customer_7d:txn_count_7d", "customer_7d:amount_max_7d" }, entities = new Dictionary<string, string[]> { ["customer_id"] = keys } });
        var result = await serving.Online().Run(ServingFixture.Request(Encoding.UTF8.GetBytes(body)), CancellationToken.None);
        return Assert.IsType<OnlineFeatureResponse>(Assert.IsType<OkObjectResult>(result).Value);
    }
}
