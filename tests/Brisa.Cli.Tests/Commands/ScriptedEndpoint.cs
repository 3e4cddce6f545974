using System.Net;
using System.Text;
using Brisa.Cli.Tests.Serving;

namespace Brisa.Cli.Tests.Commands;

/// <summary>
/// A loopback HTTP endpoint that answers its requests with the given (status, JSON body) pairs in turn, then stops:
/// a push endpoint that fails part-way, for the commands that send to one.
/// </summary>
internal sealed class ScriptedEndpoint : IDisposable
{
    private readonly HttpListener listener = new();

    private ScriptedEndpoint(params (int Status, string Body)[] answers)
    {
        var port = ServingFixture.FreePort();
        Url = $"http://127.0.0.1:{port}/api/events";
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        Served = Task.Run(async () =>
        {
            foreach (var (status, body) in answers)
            {
                var context = await listener.GetContextAsync();
                context.Response.StatusCode = status;
                await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(body));
                context.Response.Close();
            }
        });
    }

    /// <summary>The endpoint's URL.</summary>
    public string Url { get; }

    /// <summary>Completes once every answer was given.</summary>
    public Task Served { get; }

    /// <summary>Starts an endpoint giving <paramref name="answers"/> in turn.</summary>
    public static ScriptedEndpoint Start(params (int Status, string Body)[] answers) => new(answers);

    public void Dispose() => listener.Close();
}
