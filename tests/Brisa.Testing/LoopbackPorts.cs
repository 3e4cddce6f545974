using System.Net;
using System.Net.Sockets;

namespace Brisa.Testing;

/// <summary>Loopback ports for tests of what happens when nothing answers.</summary>
public static class LoopbackPorts
{
    /// <summary>A port nothing listens on: taken from the system, then released, so a connection to it is refused.</summary>
    /// <returns>The port.</returns>
    public static int Refused()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
