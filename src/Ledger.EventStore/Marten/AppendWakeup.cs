using JasperFx.Events.Daemon.HighWater;

namespace Ledger.EventStore.Marten;

/// <summary>
/// Wakes this node's projection daemon when this node commits events (ADR/0015): a signal in memory, no NOTIFY, so a
/// commit takes no notification lock and costs nothing when no daemon listens. Appends made by another node are still
/// found by polling. After a wake the daemon waits <paramref name="gathering"/> for the appends racing this one, so a
/// burst of commands is one high-water step and one projection batch instead of one per command.
/// </summary>
public sealed class AppendWakeup(TimeSpan gathering) : IDaemonWakeup
{
    // Sticky: a commit between two waits still wakes the next one.
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Events were committed on this node.</summary>
    public void Pulse()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { } // already signalled
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken token)
    {
        if (await _signal.WaitAsync(timeout, token) && gathering > TimeSpan.Zero) await Task.Delay(gathering, token);
    }

    public void Dispose() => _signal.Dispose();
}
