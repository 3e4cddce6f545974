using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using Azure;
using Brisa.Azure.Storage;
using Brisa.Testing;

namespace Brisa.Azure.Tests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class StorageReachabilityTests(AzuriteFixture azurite)
{
    private static readonly string Refused = new SocketException((int)SocketError.ConnectionRefused).Message;

    [Fact]
    public void UnreachableReason_StatusZeroWrappingARefusedConnection_TheSocketError()
    {
        var reason = StorageReachability.UnreachableReason(RefusedRequest());

        Assert.Equal(Refused, reason);
    }

    [Fact]
    public void UnreachableReason_EveryRetryRefused_TheSocketError()
    {
        var reason = StorageReachability.UnreachableReason(new AggregateException("Retry failed after 4 tries.", RefusedRequest(), RefusedRequest()));

        Assert.Equal(Refused, reason);
    }

    [Fact]
    public void UnreachableReason_NameDoesNotResolve_TheSocketError()
    {
        var socket = new SocketException((int)SocketError.HostNotFound);
        var exception = new RequestFailedException(0, "unresolved", new HttpRequestException(HttpRequestError.NameResolutionError, "unresolved (brisa.invalid:443)", socket));

        Assert.Equal(socket.Message, StorageReachability.UnreachableReason(exception));
    }

    [Fact]
    public void UnreachableReason_HttpAnswer_Null()
    {
        Assert.Null(StorageReachability.UnreachableReason(new RequestFailedException(503, "Server Busy")));
    }

    [Fact]
    public void UnreachableReason_ConnectionBrokeMidResponse_NullSoTheSdkRetries()
    {
        var exception = new RequestFailedException(0, "ended", new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."));

        Assert.Null(StorageReachability.UnreachableReason(exception));
    }

    [Fact]
    public void UnreachableReason_RetriesWhereOneGotAnAnswer_Null()
    {
        var exception = new AggregateException(RefusedRequest(), new RequestFailedException(500, "Internal"));

        Assert.Null(StorageReachability.UnreachableReason(exception));
    }

    [Fact]
    public async Task EnsureReachable_RunningEmulator_Passes()
    {
        var endpoints = Endpoints(azurite.Azurite.BlobPort, azurite.Azurite.QueuePort, azurite.Azurite.TablePort);

        await StorageReachability.EnsureReachableAsync(endpoints, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task EnsureReachable_OneServiceRefuses_ThrowsNamingThatEndpointAndSetting()
    {
        var refused = LoopbackPorts.Refused();
        var endpoints = Endpoints(azurite.Azurite.BlobPort, refused, azurite.Azurite.TablePort);

        var error = await Assert.ThrowsAsync<StorageUnreachableException>(() => StorageReachability.EnsureReachableAsync(endpoints, TimeSpan.FromSeconds(10)));

        Assert.Equal($"cannot reach Queue storage at http://127.0.0.1:{refused}/devstoreaccount1 (from Storage): {Refused}", error.Message);
        Assert.Equal("Queue", error.Endpoint?.Service);
    }

    [Fact]
    public async Task EnsureReachable_ServiceAnswers503_PassesForTheSdkToRetry()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var answering = AnswerOnceAsync(server, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        var port = ((IPEndPoint)server.LocalEndpoint).Port;

        await StorageReachability.EnsureReachableAsync([Endpoint("Blob", port)], TimeSpan.FromSeconds(10));
        await answering;
    }

    [Fact]
    public async Task EnsureReachable_ServiceNeverAnswers_ThrowsNoAnswerWithinTheTimeout()
    {
        // Accepts connections (the backlog) but never answers.
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var port = ((IPEndPoint)server.LocalEndpoint).Port;

        var error = await Assert.ThrowsAsync<StorageUnreachableException>(
            () => StorageReachability.EnsureReachableAsync([Endpoint("Table", port)], TimeSpan.FromMilliseconds(500)));

        Assert.EndsWith("(from Storage): no answer within 0.5 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureReachable_Cancelled_ThrowsCancellationNotUnreachable()
    {
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var port = ((IPEndPoint)server.LocalEndpoint).Port;
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => StorageReachability.EnsureReachableAsync([Endpoint("Blob", port)], TimeSpan.FromSeconds(30), cancel.Token));
    }

    [Fact]
    public void Display_SasQuery_LeftOut()
    {
        var endpoint = new StorageEndpoint("Blob", new Uri("https://acct.blob.core.windows.net/?sv=2024-01-01&sig=secret"), "AzureWebJobsStorage");

        Assert.Equal("https://acct.blob.core.windows.net/", endpoint.Display);
    }

    private static RequestFailedException RefusedRequest() =>
        new(0, "Connection refused (127.0.0.1:1)", new HttpRequestException(
            HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused)));

    private static StorageEndpoint[] Endpoints(int blob, int queue, int table) =>
        [Endpoint("Blob", blob), Endpoint("Queue", queue), Endpoint("Table", table)];

    private static StorageEndpoint Endpoint(string service, int port) =>
        new(service, new Uri($"http://127.0.0.1:{port}/devstoreaccount1"), "Storage");

    private static async Task AnswerOnceAsync(TcpListener server, string response)
    {
        using var client = await server.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var buffer = new byte[4096];
        var request = new StringBuilder();
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                return;
            }

            request.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
    }
}
