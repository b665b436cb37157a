using Ledger.Projections;
using Ledger.Projections.Rebuilds;
using Marten;

namespace Ledger.Api.Projections;

/// <summary>
/// Before this node's projection daemon starts, every projection's position is brought to the composite shard's, which the
/// daemon resumes them all from (<see cref="OnePassRebuild.AlignAsync"/>, ADR/0029): one query when they agree, as the daemon
/// leaves them. They disagree on a database whose projections ran as shards of their own (before the composite), with a
/// projection added to <see cref="LedgerProjections.All"/> since, or after a rebuild stopped half way by a kill. Registered
/// ahead of Marten's projection coordinator: hosted services start one after another, in registration order.
/// </summary>
public sealed class ProjectionAlignment(IDocumentStore store, ILogger<ProjectionAlignment> log) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        var rebuilt = await OnePassRebuild.AlignAsync(store, ct: ct);
        if (rebuilt.Count > 0)
            log.LogWarning("Rebuilt {Projections} through the position of {Composite} before the projection daemon started",
                string.Join(", ", rebuilt), LedgerProjections.CompositeName);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
