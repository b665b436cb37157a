using NodaTime;

namespace Ledger.Domain.Reconciliation;

public enum Severity { Low, Medium, High, Critical }

/// <summary>
/// One reconciliation rule: a stable code finance filters by, who owns a finding by default, and, for rules about
/// time passing, how long the ledger waits before a missing step counts (ADR/0014).
/// </summary>
public sealed record DiscrepancyRule(string Code, string Name, Severity Severity, string Owner, Duration? Sla, string Detection);

/// <summary>The catalogue of reconciliation rules; the projections detect them, finance clears them.</summary>
public static class DiscrepancyRules
{
    public static readonly DiscrepancyRule AcceptedNotOrdered = new("QTC-01", "accepted-not-ordered", Severity.High, "sales-ops", Duration.FromDays(2),
        "quote-accepted with no order placed within the SLA; closes on order-placed or quote-converted-to-order");

    public static readonly DiscrepancyRule OrderedNotHandedOff = new("QTC-02", "ordered-not-handed-off", Severity.High, "order-ops", Duration.FromHours(1),
        "order-placed with no billing-handoff-requested within the SLA; closes on the handoff or order-cancelled");

    public static readonly DiscrepancyRule BillingUnconfirmed = new("QTC-03", "billing-unconfirmed", Severity.Medium, "billing-ops", null,
        "billing-handoff-timed-out (billing never answered); closes on billing-handoff-acknowledged or order-cancelled");

    public static readonly DiscrepancyRule BillingFailed = new("QTC-04", "billing-failed", Severity.High, "billing-ops", null,
        "billing-handoff-failed as the latest billing answer; closes on billing-handoff-acknowledged or order-cancelled");

    public static readonly DiscrepancyRule BilledAmountMismatch = new("QTC-05", "billed-amount-mismatch", Severity.Critical, "finance", null,
        "billed amount or currency (reported billing records, else the acknowledgement) differs from the accepted quote's net total; " +
        "closes when they agree again or on billing-reconciled");

    public static readonly DiscrepancyRule CrmStateStale = new("QTC-06", "crm-state-stale", Severity.Medium, "crm-integrations", Duration.FromHours(1),
        "the latest crm-quote-state-reported differs from the ledger's quote state for longer than the SLA (CRM sync lag); " +
        "closes when a report or a ledger event makes them agree");

    public static readonly DiscrepancyRule DuplicateCustomer = new("QTC-07", "duplicate-customer", Severity.Low, "customer-data", null,
        "two or more active canonical customers share a normalized name or web domain; closes on customer-merged");

    public static readonly DiscrepancyRule ApprovalStaleWhenSent = new("QTC-08", "approval-stale-when-sent", Severity.High, "deal-desk", null,
        "quote-sent for a revision whose approval stream was invalidated, never completed, or completed another fingerprint; " +
        "closes when a later revision is sent with a valid approval");

    public static readonly DiscrepancyRule DuplicateInvoice = new("QTC-09", "duplicate-invoice", Severity.High, "billing-ops", null,
        "billing-duplicate-invoice-detected, or two non-void invoices reported for one order; closes when one is voided or on billing-reconciled");

    public static readonly DiscrepancyRule BilledWithoutOrder = new("QTC-10", "billed-without-order", Severity.Critical, "finance", null,
        "a billing record reported for an order the ledger never placed (or cancelled); closes on order-placed or when the record is voided");

    /// <summary>
    /// The deadline for billing's answer. The ledger's own billing timeout (<c>Billing:TimeoutSeconds</c>, 10 minutes by
    /// default) normally turns an unanswered handoff into QTC-03 long before; this catches the handoff the timeout never
    /// reaches (the timeout is scheduled only once billing has accepted the request: no billing URL, billing unreachable
    /// while retries go on, a lost scheduled check), so a handoff never sits silently in Requested. Keep it above that timeout.
    /// </summary>
    public static readonly DiscrepancyRule BillingHandoffUnanswered = new("QTC-11", "billing-handoff-unanswered", Severity.High, "billing-ops", Duration.FromHours(1),
        "billing-handoff-requested with no answer from billing (acknowledged, failed, or timed out) within the SLA; closes on " +
        "billing-handoff-acknowledged, billing-handoff-failed, billing-handoff-timed-out (QTC-03 takes over) or order-cancelled");

    /// <summary>The contract rules (ADR/0021): about a contract's changes and what billing holds for them, kept in the contract's view.</summary>
    public static readonly DiscrepancyRule ContractChangeBilledNotMade = new("QTC-12", "contract-change-billed-not-made", Severity.Critical, "finance", null,
        "a billing record reported for a contract change (billing-{contractId}-v{n}) the ledger never made, or for a contract it never started; " +
        "closes when the change is made or the record is voided");

    public static readonly DiscrepancyRule ContractBilledAmountMismatch = new("QTC-13", "contract-billed-amount-mismatch", Severity.Critical, "finance", null,
        "what billing holds for a contract's changes (reported records, else the acknowledgement) differs from the amounts the changes of its lines " +
        "handed off; closes when they agree again");

    /// <summary>
    /// A CRM and the ledger disagree on a contract's changes (issue 19: "an amendment or renewal a CRM shows and the ledger
    /// does not, and the reverse"). The SLA gives a CRM that syncs behind the ledger, or a ledger amendment waiting for its
    /// approval, time to agree, as QTC-06 does for quote states.
    /// </summary>
    public static readonly DiscrepancyRule ContractChangesCrmMismatch = new("QTC-14", "contract-changes-crm-mismatch", Severity.High, "crm-integrations",
        Duration.FromHours(1),
        "the contract's CRM (latest crm-contract-state-reported) shows an amendment, renewal or cancellation the ledger did not make, or lacks " +
        "one the ledger made, for longer than the SLA; closes when a report or a contract change makes them agree");

    public static readonly IReadOnlyList<DiscrepancyRule> All =
    [
        AcceptedNotOrdered, OrderedNotHandedOff, BillingUnconfirmed, BillingFailed, BilledAmountMismatch,
        CrmStateStale, DuplicateCustomer, ApprovalStaleWhenSent, DuplicateInvoice, BilledWithoutOrder, BillingHandoffUnanswered,
        ContractChangeBilledNotMade, ContractBilledAmountMismatch, ContractChangesCrmMismatch,
    ];

    public static DiscrepancyRule? Find(string code) => All.FirstOrDefault(r => r.Code == code);
}

/// <summary>
/// A discrepancy's identity: the rule, what it is about (a quote id, or a customer match key), and which occurrence
/// (a condition that closes and later comes back is a new occurrence). Written <c>QTC-05:1:Q-1001</c>.
/// </summary>
public sealed record DiscrepancyId(string Rule, int Occurrence, string Subject)
{
    public override string ToString() => $"{Rule}:{Occurrence}:{Subject}";

    public static bool TryParse(string? text, out DiscrepancyId id)
    {
        id = null!;
        var parts = (text ?? "").Split(':', 3);
        if (parts.Length != 3 || DiscrepancyRules.Find(parts[0]) is null || !int.TryParse(parts[1], out var n) || n < 1 || parts[2].Length == 0)
            return false;
        id = new DiscrepancyId(parts[0], n, parts[2]);
        return true;
    }
}
