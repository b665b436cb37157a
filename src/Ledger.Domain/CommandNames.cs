using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Catalog;
using Ledger.Domain.Customers;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;

namespace Ledger.Domain;

/// <summary>
/// Every command under the name people and callers use for it (<c>draft-quote</c>): specs name commands this way,
/// and so can the HTTP layer. Unlike event names these are not stored, so they carry no version.
/// </summary>
public static class CommandNames
{
    public static readonly IReadOnlyList<(Type Type, string Name)> All =
    [
        (typeof(DraftQuote), "draft-quote"),
        (typeof(AddQuoteLine), "add-quote-line"),
        (typeof(ChangeQuoteLine), "change-quote-line"),
        (typeof(RemoveQuoteLine), "remove-quote-line"),
        (typeof(PriceQuote), "price-quote"),
        (typeof(SubmitQuote), "submit-quote"),
        (typeof(ApproveQuote), "approve-quote"),
        (typeof(RejectQuote), "reject-quote"),
        (typeof(ReviseQuote), "revise-quote"),
        (typeof(SendQuote), "send-quote"),
        (typeof(AcceptQuote), "accept-quote"),
        (typeof(ExpireQuote), "expire-quote"),
        (typeof(WithdrawQuote), "withdraw-quote"),
        (typeof(ConvertQuoteToOrder), "convert-quote-to-order"),

        (typeof(RequestApproval), "request-approval"),
        (typeof(GrantApproval), "grant-approval"),
        (typeof(DenyApproval), "deny-approval"),
        (typeof(EscalateApproval), "escalate-approval"),
        (typeof(InvalidateApproval), "invalidate-approval"),

        (typeof(PlaceOrder), "place-order"),
        (typeof(CancelOrder), "cancel-order"),
        (typeof(CloseOrder), "close-order"),

        (typeof(RequestBillingHandoff), "request-billing-handoff"),
        (typeof(RecordBillingAcknowledgement), "record-billing-acknowledgement"),
        (typeof(RecordBillingFailure), "record-billing-failure"),
        (typeof(MarkBillingUnconfirmed), "mark-billing-unconfirmed"),
        (typeof(ReconcileBilling), "reconcile-billing"),

        (typeof(RegisterCustomer), "register-customer"),
        (typeof(LinkCrmAccount), "link-crm-account"),
        (typeof(MergeCustomer), "merge-customer"),
        (typeof(ClaimCrmAccount), "claim-crm-account"),
        (typeof(ReassignCrmAccount), "reassign-crm-account"),

        (typeof(PublishCatalogVersion), "publish-catalog-version"),
        (typeof(PublishPricingPolicy), "publish-pricing-policy"),

        (typeof(ReportCrmQuoteState), "report-crm-quote-state"),
        (typeof(ReportBillingRecord), "report-billing-record"),

        (typeof(AcknowledgeDiscrepancy), "acknowledge-discrepancy"),
        (typeof(AssignDiscrepancy), "assign-discrepancy"),
        (typeof(ResolveDiscrepancy), "resolve-discrepancy"),
    ];
}
