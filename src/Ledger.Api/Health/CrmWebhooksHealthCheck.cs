using Ledger.Application.Crm;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Api.Health;

/// <summary>
/// CRM webhooks in /health: Degraded while a quote's delivery is dead-lettered (a CRM is missing changes, and the quote's
/// later ones wait, until an administrator replays it: ADR/0020). Each reading also feeds the webhook metrics.
/// </summary>
public sealed class CrmWebhooksHealthCheck(CrmWebhookCursors cursors, CrmPushMetrics metrics) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var dead = await cursors.DeadLetterCountsAsync(ct);
        metrics.Record(dead);
        var data = dead.ToDictionary(d => d.Key, d => (object)d.Value);
        return dead.Count > 0
            ? HealthCheckResult.Degraded($"dead-lettered quotes: {string.Join(", ", dead.Select(d => $"{d.Key} {d.Value}"))}", data: data)
            : HealthCheckResult.Healthy("no dead-lettered webhook deliveries", data);
    }
}
