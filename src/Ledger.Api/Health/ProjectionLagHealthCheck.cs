using System.Diagnostics.Metrics;
using Ledger.Projections;
using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NodaTime;

namespace Ledger.Api.Health;

/// <summary>
/// Projection lag in /health: Degraded (not Unhealthy: commands still work, views are only late) when a projection
/// trails by more than <see cref="DegradedAfterEvents"/> events or its oldest unapplied event is older than
/// <see cref="DegradedAfter"/>. Each reading also feeds the lag metrics.
/// </summary>
public sealed class ProjectionLagHealthCheck(IDocumentStore store, ProjectionLagMetrics metrics) : IHealthCheck
{
    public const long DegradedAfterEvents = 10_000;
    public static readonly Duration DegradedAfter = Duration.FromSeconds(60);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var readings = await ProjectionLag.ReadAsync(store, ct);
        metrics.Record(readings);
        var data = readings.ToDictionary(r => r.Projection, r => (object)new { position = r.Position, eventsBehind = r.EventsBehind, secondsBehind = r.Behind.TotalSeconds });
        var late = readings.Where(r => r.EventsBehind > DegradedAfterEvents || r.Behind > DegradedAfter).ToList();
        var description = string.Join("; ", readings.Select(r => $"{r.Projection}: {r.EventsBehind} events, {r.Behind.TotalSeconds:0.#} s behind"));
        return late.Count == 0 ? HealthCheckResult.Healthy(description, data) : HealthCheckResult.Degraded(description, data: data);
    }
}

/// <summary>
/// <c>ledger.projection.lag.events</c> and <c>ledger.projection.lag.seconds</c> per projection, refreshed by a
/// background reading every few seconds (and by every /health call), exported with the other metrics at /metrics.
/// </summary>
public sealed class ProjectionLagMetrics
{
    public const string MeterName = "Ledger.Projections";
    private volatile IReadOnlyList<ProjectionLagReading> _latest = [];

    public ProjectionLagMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("ledger.projection.lag.events",
            () => _latest.Select(r => new Measurement<long>(r.EventsBehind, new KeyValuePair<string, object?>("projection", r.Projection))),
            "{event}", "Events appended that the projection has not applied yet.");
        meter.CreateObservableGauge("ledger.projection.lag.seconds",
            () => _latest.Select(r => new Measurement<double>(r.Behind.TotalSeconds, new KeyValuePair<string, object?>("projection", r.Projection))),
            "s", "Age of the oldest event the projection has not applied yet.");
        meter.CreateObservableGauge("ledger.events.quarantined", () => Quarantined,
            "{event}", "Rows of the event table the ledger did not write (inserted or edited around it): never projected, reported by verify.");
    }

    public void Record(IReadOnlyList<ProjectionLagReading> readings) => _latest = readings;

    private long _quarantined;

    /// <summary>Rows of the event table the ledger did not write, kept out of the views (ADR/0025); the previous count.</summary>
    public long RecordQuarantined(long count) => Interlocked.Exchange(ref _quarantined, count);

    public long Quarantined => Interlocked.Read(ref _quarantined);

    /// <summary>
    /// Counts the quarantined rows now and records them for the gauge; warns when the count grew since the last reading,
    /// whichever took it (the sampler's tick or a /health call).
    /// </summary>
    public async Task<long> SampleQuarantinedAsync(IDocumentStore store, ILogger log, CancellationToken ct)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var quarantined = await Ledger.EventStore.Marten.UnattestedEventQuarantine.CountAsync(connection, store.Options.Events.DatabaseSchemaName, ct);
        if (RecordQuarantined(quarantined) < quarantined)
            log.LogWarning("{Count} event row(s) the ledger did not write are quarantined (never projected); `ledger verify --all` names them.", quarantined);
        return quarantined;
    }
}

/// <summary>Keeps the lag gauges current between health checks.</summary>
public sealed class ProjectionLagSampler(IDocumentStore store, ProjectionLagMetrics metrics, ILogger<ProjectionLagSampler> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                metrics.Record(await ProjectionLag.ReadAsync(store, ct));
                await metrics.SampleQuarantinedAsync(store, log, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested) { log.LogWarning(e, "Reading projection lag failed"); }
        } while (await timer.WaitForNextTickAsync(ct));
    }
}
