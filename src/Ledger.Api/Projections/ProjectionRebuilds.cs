using System.Collections.Concurrent;
using Ledger.Projections;
using Ledger.Projections.Rebuilds;
using Marten;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace Ledger.Api.Projections;

public enum RebuildStatus { Running, Completed, Failed }

public sealed record RebuildState(string Projection, RebuildStatus Status, Instant StartedAt, Instant? FinishedAt, string? Error);

/// <summary>
/// Rebuilds projections in one pass over the event log (<see cref="OnePassRebuild"/>, ADR/0014 "Rebuilds"): this host's
/// projection daemon pauses, the pass folds the projections asked for from the same pages and writes their documents in
/// bulk, then the daemon resumes every projection from its position (the rebuilt ones from where the pass stopped). One
/// projection, or all of them in one pass; a projection already rebuilding is refused, other rebuilds wait their turn.
/// Progress is read from the projection's position like its lag.
/// </summary>
public sealed class ProjectionRebuilds(IServiceProvider services, IDocumentStore store, IClock clock, ILogger<ProjectionRebuilds> log,
    IHostApplicationLifetime lifetime, IConfiguration configuration)
{
    /// <summary>
    /// A node kept out of the daemon's election (<c>Ledger:Projections:RunDaemon=false</c>, a write-only node) has no daemon,
    /// and no coordinator is registered: it rebuilds nothing (a pass here would race the daemon of the node that projects).
    /// </summary>
    public bool RunsDaemon { get; } = configuration.GetValue("Ledger:Projections:RunDaemon", true);

    private IProjectionCoordinator Coordinator => services.GetRequiredService<IProjectionCoordinator>();

    private readonly ConcurrentDictionary<string, RebuildState> _states = new();
    private readonly object _starting = new();
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public IReadOnlyDictionary<string, RebuildState> States => _states;

    /// <summary>False when that projection is already being rebuilt.</summary>
    public bool TryStart(string projection) => TryStart([projection]);

    /// <summary>Every projection in one pass; false when any of them is already being rebuilt (then none starts).</summary>
    public bool TryStartAll() => TryStart(LedgerProjections.Names);

    private bool TryStart(IReadOnlyList<string> projections)
    {
        if (!RunsDaemon) throw new InvalidOperationException("This node runs no projection daemon; its endpoints refuse rebuilds before asking.");
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
        string? error = null;
        var onePass = projections.Where(p => OnePassRebuild.CanRebuild(store, p)).ToList();
        // One pass at a time on this node: each pauses and resumes the whole coordinator.
        await _oneAtATime.WaitAsync(ct);
        try
        {
            // The coordinator starts any agent it finds missing every few seconds, so stopping one agent would not keep it
            // stopped for the pass: pause them all (the other projections wait the pass out, then catch up), resume after.
            var pause = onePass.Count > 0;
            if (pause) await Coordinator.PauseAsync();
            try
            {
                if (onePass.Count > 0)
                {
                    log.LogInformation("Rebuilding {Projections} in one pass", string.Join(", ", onePass));
                    // The daemon's high-water mark waits out sequence gaps of appends still in flight: a pass through it skips none.
                    var highWater = Coordinator.DaemonForMainDatabase().HighWaterMark();
                    var through = await OnePassRebuild.RunAsync(store, onePass, highWater > 0 ? highWater : null, ct: ct);
                    log.LogInformation("Rebuilt {Projections} through event {Position}", string.Join(", ", onePass), through);
                }
            }
            catch (Exception e)
            {
                log.LogError(e, "Rebuilding {Projections} failed", string.Join(", ", projections));
                error = e.Message;
            }
            finally
            {
                // Handed back to the live daemon, which resumes each projection from the position the pass reached.
                if (pause) await Coordinator.ResumeAsync();
            }
            // What the pass cannot fold (no such projection today): Marten's daemon, then its agent started again
            // (JasperFx/jasperfx#535: the rebuild leaves it stopped).
            foreach (var projection in projections.Except(onePass))
            {
                var daemon = Coordinator.DaemonForMainDatabase();
                await daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(10), ct);
                await daemon.StartAgentAsync($"{projection}:All", ct);
            }
        }
        catch (Exception e)
        {
            log.LogError(e, "Rebuilding {Projections} failed", string.Join(", ", projections));
            error ??= e.Message;
        }
        finally
        {
            _oneAtATime.Release();
            foreach (var projection in projections) Finish(projection, error);
        }
    }

    private void Finish(string projection, string? error) =>
        _states[projection] = _states[projection] with
        {
            Status = error is null ? RebuildStatus.Completed : RebuildStatus.Failed, FinishedAt = clock.GetCurrentInstant(), Error = error,
        };

    public static bool Exists(string projection) => LedgerProjections.Names.Contains(projection);
}
