using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Catalog;
using Ledger.Domain.Customers;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;

namespace Ledger.Domain;

/// <summary>
/// Every event type under the stable, versioned name it is stored with. A name is a promise about stored data:
/// a shipped shape is never edited; a changed shape gets a new name (<c>.v2</c>) and the old one an upcaster.
/// </summary>
public static class EventNames
{
    public static readonly IReadOnlyList<(Type Type, string Name)> All =
    [
        (typeof(QuoteDrafted), "quote-drafted.v1"),
        (typeof(QuoteLineAdded), "quote-line-added.v1"),
        (typeof(QuoteLineChanged), "quote-line-changed.v1"),
        (typeof(QuoteLineRemoved), "quote-line-removed.v1"),
        (typeof(QuotePriced), "quote-priced.v1"),
        (typeof(QuoteSubmittedForApproval), "quote-submitted-for-approval.v1"),
        (typeof(QuoteApproved), "quote-approved.v1"),
        (typeof(QuoteRejected), "quote-rejected.v1"),
        (typeof(QuoteRevised), "quote-revised.v1"),
        (typeof(QuoteSent), "quote-sent.v1"),
        (typeof(QuoteAccepted), "quote-accepted.v1"),
        (typeof(QuoteExpired), "quote-expired.v1"),
        (typeof(QuoteWithdrawn), "quote-withdrawn.v1"),
        (typeof(QuoteConvertedToOrder), "quote-converted-to-order.v1"),

        (typeof(ApprovalRequested), "approval-requested.v1"),
        (typeof(ApprovalLevelGranted), "approval-level-granted.v1"),
        (typeof(ApprovalLevelDenied), "approval-level-denied.v1"),
        (typeof(ApprovalEscalated), "approval-escalated.v1"),
        (typeof(ApprovalCompleted), "approval-completed.v1"),
        (typeof(ApprovalInvalidated), "approval-invalidated.v1"),

        (typeof(OrderPlaced), "order-placed.v1"),
        (typeof(OrderCancelled), "order-cancelled.v1"),
        (typeof(OrderClosed), "order-closed.v1"),

        (typeof(BillingHandoffRequested), "billing-handoff-requested.v1"),
        (typeof(BillingHandoffAcknowledged), "billing-handoff-acknowledged.v1"),
        (typeof(BillingAmountMismatchDetected), "billing-amount-mismatch-detected.v1"),
        (typeof(BillingDuplicateInvoiceDetected), "billing-duplicate-invoice-detected.v1"),
        (typeof(BillingHandoffFailed), "billing-handoff-failed.v1"),
        (typeof(BillingHandoffTimedOut), "billing-handoff-timed-out.v1"),
        (typeof(BillingReconciled), "billing-reconciled.v1"),

        (typeof(CustomerRegistered), "customer-registered.v1"),
        (typeof(CrmAccountLinked), "crm-account-linked.v1"),
        (typeof(CustomerMerged), "customer-merged.v1"),
        (typeof(CrmAccountClaimed), "crm-account-claimed.v1"),
        (typeof(CrmAccountReassigned), "crm-account-reassigned.v1"),

        (typeof(CatalogVersionPublished), "catalog-version-published.v1"),
        (typeof(PricingPolicyPublished), "pricing-policy-published.v1"),

        (typeof(CrmQuoteStateReported), "crm-quote-state-reported.v1"),
        (typeof(BillingRecordReported), "billing-record-reported.v1"),

        (typeof(DiscrepancyAcknowledged), "discrepancy-acknowledged.v1"),
        (typeof(DiscrepancyAssigned), "discrepancy-assigned.v1"),
        (typeof(DiscrepancyResolved), "discrepancy-resolved.v1"),
    ];
}
