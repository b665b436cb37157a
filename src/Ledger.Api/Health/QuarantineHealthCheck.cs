using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Api.Health;

/// <summary>
/// Quarantined events in /health: Degraded while the event table holds rows the ledger did not write (ADR/0025): inserted or
/// edited around it in PostgreSQL mode, or copied from EventStoreDB as stand-ins because they are not ledger events or their
/// hashes do not hold (ADR/0018). The views leave them out, so a quote's view may differ from its record until someone looks:
/// <c>ledger verify --all</c> names each one. Each reading also feeds <c>ledger.events.quarantined</c>.
/// </summary>
public sealed class QuarantineHealthCheck(IDocumentStore store, ProjectionLagMetrics metrics, ILogger<QuarantineHealthCheck> log) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var quarantined = await metrics.SampleQuarantinedAsync(store, log, ct);
        var data = new Dictionary<string, object> { ["quarantined"] = quarantined };
        return quarantined > 0
            ? HealthCheckResult.Degraded($"{quarantined} event(s) the ledger did not write are quarantined (never projected); `ledger verify --all` names them", data: data)
            : HealthCheckResult.Healthy("no quarantined events", data);
    }
}
