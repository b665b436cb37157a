using Ledger.EventStore.Replication;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Ledger.Api.Health;

/// <summary>
/// EventStoreDB mode only: the copy of <c>$all</c> the read side projects from (ADR/0010). Unhealthy while the replicator
/// keeps failing (every view is going stale); Degraded while it trails the source by more than
/// <see cref="DegradedAfterEvents"/> events. The projections' own lag cannot show either: it is measured against the copy.
/// </summary>
public sealed class ReplicationHealthCheck(EventReplicator replicator) : IHealthCheck
{
    public const int DegradedAfterEvents = 1_000;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var behind = await replicator.EventsBehindAsync(DegradedAfterEvents + 1, ct);
        var data = new Dictionary<string, object> { ["eventsBehind"] = behind };
        if (replicator.Failure is { } failure)
        {
            data["failingSince"] = failure.Since;
            return HealthCheckResult.Unhealthy($"replication has not moved since {failure.Since:O}: {failure.Error}", data: data);
        }
        var description = $"{behind} events behind EventStoreDB";
        return behind > DegradedAfterEvents ? HealthCheckResult.Degraded(description, data: data) : HealthCheckResult.Healthy(description, data);
    }
}
