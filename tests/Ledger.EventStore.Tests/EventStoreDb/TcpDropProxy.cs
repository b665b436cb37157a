using System.Net;
using System.Net.Sockets;

namespace Ledger.EventStore.Tests.EventStoreDb;

/// <summary>A loopback TCP forwarder whose open connections can be cut, to test reconnects.</summary>
internal sealed class TcpDropProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;

    public TcpDropProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptLoop();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Drops { get; private set; }

    /// <summary>Cuts every connection open now; new ones are accepted as before.</summary>
    public void DropAll()
    {
        lock (_open)
        {
            foreach (var c in _open)
            {
                // A pump may have closed it already (then Client is null): any failure here means it is gone.
                try { c.Client?.LingerState = new LingerOption(true, 0); } catch (Exception) { }
                try { c.Dispose(); } catch (Exception) { }
            }
            _open.Clear();
            Drops++;
        }
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (SocketException) { return; }
            var outbound = new TcpClient();
            try { await outbound.ConnectAsync(_targetHost, _targetPort, _stop.Token); }
            catch (Exception) { inbound.Dispose(); outbound.Dispose(); continue; }
            lock (_open) { _open.Add(inbound); _open.Add(outbound); }
            _ = Pump(inbound, outbound);
            _ = Pump(outbound, inbound);
        }
    }

    private async Task Pump(TcpClient from, TcpClient to)
    {
        try { await from.GetStream().CopyToAsync(to.GetStream(), _stop.Token); }
        catch (Exception) { /* cut or stopped */ }
        try { to.Dispose(); from.Dispose(); } catch (Exception) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropAll();
        try { await _accepting; } catch (Exception) { }
        _stop.Dispose();
    }
}
