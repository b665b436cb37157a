using JasperFx.Events;
using Ledger.Domain.Approvals;

namespace Ledger.Projections.Quotes;

/// <summary>
/// The CRM's view of each quote (ADR/0029): the shared progress of <see cref="QuoteProgressProjection{TView}"/> and the
/// levels each approval asks for. It follows no reported facts and no clearing of discrepancies: nothing a CRM cannot see
/// moves it.
/// </summary>
public sealed class QuoteViewProjection : QuoteProgressProjection<QuoteView>
{
    public const string ProjectionName = "quote-view";

    public QuoteViewProjection() : base(ProjectionName) { }

    protected override void Follow(QuoteView view, IEvent e)
    {
        if (e.Data is ApprovalRequested r) view.ApprovalRequests.Add(new RequestedApproval(r.Revision, r.Levels));
    }
}
