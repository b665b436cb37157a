using Ledger.Application.Reactions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Api.Health;

/// <summary>
/// Reactions in /health: Degraded when a reaction is parked or Wolverine holds dead letters (something that should have
/// followed an event has not, and waits for someone: <c>ledger reactions</c>), or when the processor trails the log by more
/// than <see cref="DegradedAfterEvents"/> events. Each reading also feeds the reaction metrics.
/// </summary>
public sealed class ReactionsHealthCheck(ReactionBacklog backlog, ReactionMetrics metrics) : IHealthCheck
{
    public const int DegradedAfterEvents = 1_000;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var status = await backlog.ReadAsync(ct, (int)DegradedAfterEvents + 1);
        metrics.Record(status);
        var data = new Dictionary<string, object>
        {
            ["position"] = status.Position, ["eventsBehind"] = status.EventsBehind, ["parked"] = status.Parked.Count, ["deadLetters"] = status.DeadLetters,
        };
        var description = $"{status.EventsBehind} events behind, {status.Parked.Count} parked, {status.DeadLetters} dead letters";
        return status.Stuck || status.EventsBehind > DegradedAfterEvents
            ? HealthCheckResult.Degraded(description, data: data)
            : HealthCheckResult.Healthy(description, data);
    }
}
