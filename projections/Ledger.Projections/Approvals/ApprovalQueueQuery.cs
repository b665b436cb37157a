using Ledger.Domain.Approvals;
using Marten;
using NodaTime;

namespace Ledger.Projections.Approvals;

/// <summary>One pending approval and how long it has waited for its current level.</summary>
public sealed record QueuedApproval(ApprovalQueueItem Item, Duration Age);

/// <summary>Pending approvals, oldest wait first (then by id), optionally for one level or approver group: the API's queue and the console's inbox.</summary>
public sealed class ApprovalQueueQuery(IDocumentStore store, IClock clock)
{
    public async Task<IReadOnlyList<QueuedApproval>> PendingAsync(ApprovalLevel? level, string? group, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var query = session.Query<ApprovalQueueItem>().Where(x => x.Status == ApprovalQueueStatus.Pending);
        if (level is { } l) query = query.Where(x => x.PendingLevel == l);
        if (group is not null) query = query.Where(x => x.ApproverGroup == group);
        var pending = await query.ToListAsync(ct);
        var now = clock.GetCurrentInstant();
        return pending.OrderBy(x => x.PendingSince?.At).ThenBy(x => x.Id, StringComparer.Ordinal)
            .Select(x => new QueuedApproval(x, now - (x.PendingSince?.At ?? now))).ToList();
    }
}
