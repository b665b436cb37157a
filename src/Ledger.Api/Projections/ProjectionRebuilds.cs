using System.Collections.Concurrent;
using Ledger.Projections;
using Ledger.Projections.Rebuilds;
using Marten;
using Marten.Events.Daemon.Coordination;
using NodaTime;

namespace Ledger.Api.Projections;

public enum RebuildStatus { Running, Completed, Failed }

public sealed record RebuildState(string Projection, RebuildStatus Status, Instant StartedAt, Instant? FinishedAt, string? Error);

/// <summary>
/// Rebuilds projections in one pass over the event log (<see cref="OnePassRebuild"/>, ADR/0014 "Rebuilds"): this host's
/// live agents of those projections stop, the pass folds them all from the same pages and writes their documents in bulk,
/// then the agents start again from the position the pass reached. One projection, or all of them in one pass; a
/// projection already rebuilding is refused. Progress is read from the projection's position like its lag.
/// </summary>
public sealed class ProjectionRebuilds(IProjectionCoordinator coordinator, IDocumentStore store, IClock clock, ILogger<ProjectionRebuilds> log,
    IHostApplicationLifetime lifetime)
{
    private readonly ConcurrentDictionary<string, RebuildState> _states = new();
    private readonly object _starting = new();

    public IReadOnlyDictionary<string, RebuildState> States => _states;

    /// <summary>False when that projection is already being rebuilt.</summary>
    public bool TryStart(string projection) => TryStart([projection]);

    /// <summary>Every projection in one pass; false when any of them is already being rebuilt (then none starts).</summary>
    public bool TryStartAll() => TryStart(LedgerProjections.Names);

    private bool TryStart(IReadOnlyList<string> projections)
    {
        lock (_starting)
        {
            if (projections.Any(p => _states.TryGetValue(p, out var current) && current.Status == RebuildStatus.Running)) return false;
            var startedAt = clock.GetCurrentInstant();
            foreach (var projection in projections) _states[projection] = new RebuildState(projection, RebuildStatus.Running, startedAt, null, null);
        }
        _ = Task.Run(() => RunAsync(projections, lifetime.ApplicationStopping));
        return true;
    }

    private async Task RunAsync(IReadOnlyList<string> projections, CancellationToken ct)
    {
        var daemon = coordinator.DaemonForMainDatabase();
        string? error = null;
        try
        {
            log.LogInformation("Rebuilding {Projections} in one pass", string.Join(", ", projections));
            // The live agents must not write while the pass does; they start again below from where it stopped.
            foreach (var projection in projections) await daemon.StopAgentAsync($"{projection}:All", null);
            // The daemon's high-water mark waits out sequence gaps of appends still in flight: a pass through it skips none of them.
            var highWater = daemon.HighWaterMark();
            var through = await OnePassRebuild.RunAsync(store, projections, highWater > 0 ? highWater : null, ct: ct);
            log.LogInformation("Rebuilt {Projections} through event {Position}", string.Join(", ", projections), through);
        }
        catch (Exception e)
        {
            log.LogError(e, "Rebuilding {Projections} failed", string.Join(", ", projections));
            error = e.Message;
        }
        try
        {
            // Handed back to the live daemon (JasperFx/jasperfx#535: a stopped agent stays stopped until started).
            foreach (var projection in projections) await daemon.StartAgentAsync($"{projection}:All", ct);
        }
        catch (Exception e)
        {
            log.LogError(e, "Restarting {Projections} after their rebuild failed", string.Join(", ", projections));
            error ??= e.Message;
        }
        foreach (var projection in projections) Finish(projection, error);
    }

    private void Finish(string projection, string? error) =>
        _states[projection] = _states[projection] with
        {
            Status = error is null ? RebuildStatus.Completed : RebuildStatus.Failed, FinishedAt = clock.GetCurrentInstant(), Error = error,
        };

    public static bool Exists(string projection) => LedgerProjections.Names.Contains(projection);
}
