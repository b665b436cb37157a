using JasperFx.Events;
using Ledger.Domain.Approvals;
using Ledger.Projections.Common;
using Ledger.Projections.Rebuilds;
using Marten.Events.Projections;

namespace Ledger.Projections.Approvals;

/// <summary>Approval streams as a work queue: one item per request, keyed <c>{quoteId}-r{revision}</c>.</summary>
public sealed class ApprovalQueueProjection : MultiStreamProjection<ApprovalQueueItem, string>, IRebuildSlicing
{
    public const string ProjectionName = "approval-queue";

    public ApprovalQueueProjection()
    {
        Name = ProjectionName;
        Identity<ApprovalEvent>(e => ItemId(e.QuoteId, e.Revision));
        ConcreteEventTypes.Include(this, typeof(ApprovalEvent));
    }

    /// <summary>Every event names its quote and revision.</summary>
    public bool ReadsStoredDocuments(IEvent e) => false;

    public static string ItemId(string quoteId, int revision) => $"{quoteId}-r{revision}";

    /// <summary>The group that answers for a level unless the request was escalated to someone else.</summary>
    public static string GroupOf(ApprovalLevel level) => level switch
    {
        ApprovalLevel.DealDesk => "deal-desk",
        ApprovalLevel.VicePresident => "sales-vp",
        ApprovalLevel.Cfo => "cfo-office",
        _ => level.ToString(),
    };

    public override ApprovalQueueItem Evolve(ApprovalQueueItem? snapshot, string id, IEvent e)
    {
        var item = snapshot ?? new ApprovalQueueItem { Id = id };
        switch (e.Data)
        {
            case ApprovalRequested r:
                (item.QuoteId, item.Revision, item.QuoteOwner, item.Segment, item.Region) = (r.QuoteId, r.Revision, r.QuoteOwner, r.Segment, r.Region);
                (item.Fingerprint, item.Levels, item.Status) = (r.Fingerprint, [.. r.Levels], ApprovalQueueStatus.Pending);
                item.RequestedBy = EventRef.Of(e);
                if (r.Levels is [var first, ..]) Await(item, first, e);
                break;
            case ApprovalLevelGranted g:
                item.Granted.Add(new GrantedLevel(g.Level, g.Approver, EventRef.Of(e)));
                var next = ApprovalRules.LevelAfter(item.Levels, g.Level);
                if (next is { } level) Await(item, level, e);
                break;
            case ApprovalEscalated x:
                item.ApproverGroup = x.EscalatedTo;
                item.PendingSince = EventRef.Of(e);
                break;
            case ApprovalCompleted:
                Done(item, ApprovalQueueStatus.Completed);
                break;
            case ApprovalLevelDenied:
                Done(item, ApprovalQueueStatus.Denied);
                break;
            case ApprovalInvalidated:
                Done(item, ApprovalQueueStatus.Invalidated);
                break;
        }
        item.Through = EventRef.Of(e);
        return item;
    }

    private static void Await(ApprovalQueueItem item, ApprovalLevel level, IEvent e) =>
        (item.PendingLevel, item.ApproverGroup, item.PendingSince) = (level, GroupOf(level), EventRef.Of(e));

    private static void Done(ApprovalQueueItem item, ApprovalQueueStatus status) =>
        (item.Status, item.PendingLevel, item.ApproverGroup) = (status, null, null);
}
