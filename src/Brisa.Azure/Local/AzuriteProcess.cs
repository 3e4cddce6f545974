using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Brisa.Azure.Local;

/// <summary>
/// Azurite (the Azure Storage emulator, from npm) started as a child process on free loopback ports.
/// Used by the CLI when no storage is configured and by the test fixtures.
/// </summary>
public sealed partial class AzuriteProcess : IAsyncDisposable
{
    /// <summary>Azurite's documented development account key: public by design, valid only against the emulator.</summary>
    private const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const string DevelopmentAccount = "devstoreaccount1";

    private readonly Process process;
    private readonly StringBuilder output;

    private AzuriteProcess(Process process, StringBuilder output, int blobPort, int queuePort, int tablePort, string? location)
    {
        this.process = process;
        this.output = output;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
        Location = location;
    }

    /// <summary>The blob service port.</summary>
    public int BlobPort { get; }

    /// <summary>The queue service port.</summary>
    public int QueuePort { get; }

    /// <summary>The table service port.</summary>
    public int TablePort { get; }

    /// <summary>The on-disk folder, or null when Azurite runs in memory.</summary>
    public string? Location { get; }

    /// <summary>True while the Azurite process runs.</summary>
    public bool IsRunning => !process.HasExited;

    /// <summary>A connection string for the emulator's three services.</summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={DevelopmentAccount};AccountKey={DevelopmentAccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{DevelopmentAccount};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{DevelopmentAccount};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{DevelopmentAccount};";

    /// <summary>
    /// Starts Azurite and returns once blob, queue and table listen.
    /// </summary>
    /// <param name="location">An on-disk folder to persist to; null runs in memory.</param>
    /// <param name="ports">Fixed ports (blob, queue, table) to restart on the same endpoints; null picks free ones.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="AzuriteNotFoundException">Node.js or Azurite is not installed.</exception>
    public static async Task<AzuriteProcess> StartAsync(string? location = null, (int Blob, int Queue, int Table)? ports = null, CancellationToken cancellationToken = default)
    {
        var script = FindAzuriteScript();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = location ?? Path.GetTempPath(),
        };
        start.ArgumentList.Add(script);
        foreach (var service in new[] { "blob", "queue", "table" })
        {
            start.ArgumentList.Add($"--{service}Host");
            start.ArgumentList.Add("127.0.0.1");
        }

        start.ArgumentList.Add("--blobPort");
        start.ArgumentList.Add((ports?.Blob ?? 0).ToString());
        start.ArgumentList.Add("--queuePort");
        start.ArgumentList.Add((ports?.Queue ?? 0).ToString());
        start.ArgumentList.Add("--tablePort");
        start.ArgumentList.Add((ports?.Table ?? 0).ToString());
        start.ArgumentList.Add("--skipApiVersionCheck");
        start.ArgumentList.Add("--loose");
        start.ArgumentList.Add("--disableTelemetry");
        if (location is null)
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            Directory.CreateDirectory(location);
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(location);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new AzuriteNotFoundException("Could not start node.");
        }
        catch (Win32Exception ex)
        {
            throw new AzuriteNotFoundException(
                "Node.js is not installed (no 'node' on PATH). Install Node.js 20 or later (https://nodejs.org, or 'apt-get install nodejs npm'), then run 'npm ci' in the Brisa folder.", ex);
        }

        var output = new StringBuilder();
        var listening = new Dictionary<string, int>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"Azurite exited before it listened:\n{output}"));
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
                var match = ListeningLine().Match(e.Data);
                if (match.Success)
                {
                    listening[match.Groups["service"].Value] = int.Parse(match.Groups["port"].Value);
                    if (listening.Count == 3)
                    {
                        ready.TrySetResult();
                    }
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch
        {
            Kill(process);
            throw;
        }

        return new AzuriteProcess(process, output, listening["Blob"], listening["Queue"], listening["Table"], location);
    }

    /// <summary>Everything Azurite printed so far (for diagnostics).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>
    /// Stops the emulator (a fault test can then start another on the same location and ports). On Unix it is asked to
    /// shut down first (SIGTERM), because on-disk Azurite saves its metadata only every 5 s and on a clean close: a
    /// kill would lose writes it had already acknowledged, which real storage never does. Killed after 10 s.
    /// </summary>
    public async Task StopAsync()
    {
        if (!process.HasExited && !OperatingSystem.IsWindows() && NativeMethods.Kill(process.Id, NativeMethods.SigTerm) == 0)
        {
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(grace.Token);
                return;
            }
            catch (OperationCanceledException)
            {
                // Did not close in time: kill it below.
            }
        }

        Kill(process);
        await process.WaitForExitAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        process.Dispose();
    }

    /// <summary>
    /// Finds azurite.js: <c>BRISA_AZURITE</c> if set, else <c>node_modules/azurite</c> in the current folder,
    /// next to the program, or in any folder above them (a clone after <c>npm ci</c>).
    /// </summary>
    public static string FindAzuriteScript()
    {
        var configured = Environment.GetEnvironmentVariable("BRISA_AZURITE");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new AzuriteNotFoundException($"BRISA_AZURITE points to '{configured}', which does not exist.");
        }

        if (LocalFiles.FindAbove(Path.Combine("node_modules", "azurite", "dist", "src", "azurite.js")) is { } found)
        {
            return found;
        }

        throw new AzuriteNotFoundException(
            "Azurite is not installed. Run 'npm ci' in the Brisa folder (it installs Azurite from package-lock.json; needs Node.js 20+), " +
            "or set BRISA_AZURITE to the path of azurite.js, or set AzureWebJobsStorage to a storage connection.");
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    [GeneratedRegex(@"Azurite (?<service>Blob|Queue|Table) service is successfully listening at http://[^:]+:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}

internal static class NativeMethods
{
    public const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    public static extern int Kill(int pid, int signal);
}

/// <summary>Node.js or Azurite is missing; the message says exactly what to install.</summary>
public sealed class AzuriteNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AzuriteNotFoundException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public AzuriteNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public AzuriteNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
