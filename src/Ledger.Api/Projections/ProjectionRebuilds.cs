using System.Collections.Concurrent;
using Ledger.Projections;
using Marten.Events.Daemon.Coordination;
using NodaTime;

namespace Ledger.Api.Projections;

public enum RebuildStatus { Running, Completed, Failed }

public sealed record RebuildState(string Projection, RebuildStatus Status, Instant StartedAt, Instant? FinishedAt, string? Error);

/// <summary>
/// Rebuilds a projection in this host's async daemon (which stops the projection's live agent and replays the event
/// tables from the start), then starts the live agent again; one rebuild per projection at a time, all of them at once when
/// asked (ADR/0014, "Rebuilds"). Progress is read from the projection's position like its lag.
/// </summary>
public sealed class ProjectionRebuilds(IProjectionCoordinator coordinator, IClock clock, ILogger<ProjectionRebuilds> log, IHostApplicationLifetime lifetime)
{
    public static readonly TimeSpan ShardTimeout = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, RebuildState> _states = new();

    public IReadOnlyDictionary<string, RebuildState> States => _states;

    /// <summary>False when that projection is already being rebuilt.</summary>
    public bool TryStart(string projection)
    {
        var started = new RebuildState(projection, RebuildStatus.Running, clock.GetCurrentInstant(), null, null);
        if (_states.TryGetValue(projection, out var current) && current.Status == RebuildStatus.Running) return false;
        if (!(current is null ? _states.TryAdd(projection, started) : _states.TryUpdate(projection, started, current))) return false;
        _ = Task.Run(() => RunAsync(projection, lifetime.ApplicationStopping));
        return true;
    }

    private async Task RunAsync(string projection, CancellationToken ct)
    {
        try
        {
            log.LogInformation("Rebuilding projection {Projection}", projection);
            var daemon = coordinator.DaemonForMainDatabase();
            await daemon.RebuildProjectionAsync(projection, ShardTimeout, ct);
            // The rebuild stops the projection's live agent and does not start it again (JasperFx/jasperfx#535): without
            // this the projection stays frozen at the rebuild's end until the process restarts.
            await daemon.StartAgentAsync($"{projection}:All", ct);
            Finish(projection, null);
        }
        catch (Exception e)
        {
            log.LogError(e, "Rebuilding projection {Projection} failed", projection);
            Finish(projection, e.Message);
        }
    }

    private void Finish(string projection, string? error) =>
        _states[projection] = _states[projection] with
        {
            Status = error is null ? RebuildStatus.Completed : RebuildStatus.Failed, FinishedAt = clock.GetCurrentInstant(), Error = error,
        };

    public static bool Exists(string projection) => LedgerProjections.Names.Contains(projection);
}
