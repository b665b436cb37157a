using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Customers;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;
using NodaTime;
using static Ledger.IntegrationTests.Projections.Q2C;
using Ledger.Domain.Common;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// One history that holds every reconciliation rule, opened and left open, closed by itself, or never due, and the
/// outcome each (rule, subject) must have. The clock of the test stands ten days after <see cref="Q2C.T0"/>.
/// </summary>
public static class ReconciliationHistory
{
    public static readonly Instant Now = T0 + Duration.FromDays(10);

    /// <summary>Accepted and never ordered (QTC-01), for finance to clear by hand.</summary>
    public const string ClearingSubject = "Q-CLR";

    /// <summary>
    /// What the list must show with status=all: (rule, subject) → status. Pairs not named must not appear, except
    /// <see cref="ClearingSubject"/>'s, which the clearing test changes.
    /// </summary>
    public static readonly IReadOnlyDictionary<(string Rule, string Subject), string> Expected = new Dictionary<(string, string), string>
    {
        [("QTC-01", "Q-ANO")] = "Open",
        [("QTC-01", "Q-ORD-LATE")] = "Closed",
        [("QTC-01", "Q-CRM-STALE")] = "Open",
        [("QTC-01", "Q-CRM-LATE")] = "Open",
        [("QTC-01", "Q-CRM-SOON")] = "Open",
        [("QTC-02", "Q-NOHANDOFF")] = "Open",
        [("QTC-03", "Q-UNCONF")] = "Open",
        [("QTC-03", "Q-UNCONF-LATE")] = "Closed",
        [("QTC-04", "Q-FAILED")] = "Open",
        [("QTC-05", "Q-MISMATCH")] = "Open",
        [("QTC-05", "Q-MISMATCH-FIXED")] = "Closed",
        [("QTC-05", "Q-CURRENCY")] = "Open",
        [("QTC-06", "Q-CRM-STALE")] = "Open",
        [("QTC-06", "Q-CRM-LATE")] = "Closed",
        [("QTC-07", "name:acme")] = "Open",
        [("QTC-07", "domain:acme.com")] = "Open",
        [("QTC-07", "name:globex")] = "Closed",
        [("QTC-08", "Q-STALE-APPROVAL")] = "Open",
        [("QTC-09", "Q-DUP-INV")] = "Open",
        [("QTC-09", "Q-DUP-RECORDS")] = "Closed",
        // Two live invoices also bill twice the accepted amount, until one is voided.
        [("QTC-05", "Q-DUP-RECORDS")] = "Closed",
        [("QTC-10", "Q-GHOST")] = "Open",
        [("QTC-10", "Q-BILLED-EARLY")] = "Closed",
        [("QTC-11", "Q-UNANSWERED")] = "Open",
        [("QTC-11", "Q-ANSWERED-LATE")] = "Closed",
        [("QTC-11", "Q-HANDOFF-CANCELLED-LATE")] = "Closed",
        // Contracts (ADR/0021): a change billed that was never made; a change billed at another amount, and one corrected (closed).
        [("QTC-12", "ctr-Q-CTR-A")] = "Open",
        [("QTC-13", "ctr-Q-CTR-A")] = "Open",
        [("QTC-13", "ctr-Q-CTR-B")] = "Closed",
        // The billing rules on contract changes' handoffs: unconfirmed, failed, unanswered, and answered after the SLA (closed).
        [("QTC-03", "ctr-Q-CTR-C")] = "Open",
        [("QTC-04", "ctr-Q-CTR-D")] = "Open",
        [("QTC-11", "ctr-Q-CTR-E")] = "Open",
        [("QTC-11", "ctr-Q-CTR-F")] = "Closed",
        // What the contract's CRM shows against the ledger's changes: an amendment the CRM lacks; one it showed first (closed).
        [("QTC-14", "ctr-Q-CTR-G")] = "Open",
        [("QTC-14", "ctr-Q-CTR-H")] = "Closed",
    };

    public static async Task WriteAsync(History h)
    {
        var at = (double hours) => T0 + Duration.FromHours(hours);

        // QTC-01: accepted, never ordered; ordered after the SLA (closed); ordered in time (never a discrepancy).
        await h.Append(Quote("Q-ANO"), at(0), AcceptedQuote("Q-ANO", 14_400m));
        await h.Append(Quote("Q-CLR"), at(0), AcceptedQuote("Q-CLR", 9_000m));
        await h.Append(Quote("Q-ORD-LATE"), at(0), AcceptedQuote("Q-ORD-LATE", 5_000m, crm: "hubspot", region: "eu-west"));
        await h.Append(Order("Q-ORD-LATE"), at(72), Placed("Q-ORD-LATE", 5_000m, crm: "hubspot", region: "eu-west"));
        await h.Append(Billing("Q-ORD-LATE"), at(72.2), Handoff("Q-ORD-LATE", 5_000m), Ack("Q-ORD-LATE", 5_000m));
        await Delivered(h, "Q-ORD-INTIME", 7_500m, at(1));

        // QTC-02: ordered, no handoff.
        await h.Append(Quote("Q-NOHANDOFF"), at(0), AcceptedQuote("Q-NOHANDOFF", 3_000m));
        await h.Append(Order("Q-NOHANDOFF"), at(1), Placed("Q-NOHANDOFF", 3_000m));

        // QTC-03: billing never answered; answered after the timeout (closed).
        await Ordered(h, "Q-UNCONF", 2_000m, at(1));
        await h.Append(Billing("Q-UNCONF"), at(1.1), Handoff("Q-UNCONF", 2_000m), new BillingHandoffTimedOut(OrderId("Q-UNCONF"), Duration.FromMinutes(10), T0));
        await Ordered(h, "Q-UNCONF-LATE", 2_500m, at(1));
        await h.Append(Billing("Q-UNCONF-LATE"), at(1.1), Handoff("Q-UNCONF-LATE", 2_500m), new BillingHandoffTimedOut(OrderId("Q-UNCONF-LATE"), Duration.FromMinutes(10), T0));
        await h.Append(Billing("Q-UNCONF-LATE"), at(5), Ack("Q-UNCONF-LATE", 2_500m, afterTimeout: true));

        // QTC-04: billing refused the handoff.
        await Ordered(h, "Q-FAILED", 1_000m, at(1));
        await h.Append(Billing("Q-FAILED"), at(1.1), Handoff("Q-FAILED", 1_000m), new BillingHandoffFailed(OrderId("Q-FAILED"), "Unknown billing account", false, T0));

        // QTC-05: billed less than accepted; billed less, then billing reports the right invoice (closed); billed in another currency.
        await Ordered(h, "Q-MISMATCH", 14_400m, at(1));
        await h.Append(Billing("Q-MISMATCH"), at(1.1), Handoff("Q-MISMATCH", 14_400m), Ack("Q-MISMATCH", 14_000m),
            new BillingAmountMismatchDetected(OrderId("Q-MISMATCH"), "INV-Q-MISMATCH", 14_400m, "USD", 14_000m, "USD", T0));
        await Ordered(h, "Q-MISMATCH-FIXED", 6_000m, at(1));
        await h.Append(Billing("Q-MISMATCH-FIXED"), at(1.1), Handoff("Q-MISMATCH-FIXED", 6_000m), Ack("Q-MISMATCH-FIXED", 5_900m));
        await h.Append("billing-record-INV-MF-1", at(30), Record("INV-MF-1", "Q-MISMATCH-FIXED", 6_000m));
        await h.Append(Quote("Q-CURRENCY"), at(0), AcceptedQuote("Q-CURRENCY", 10_000m, crm: "hubspot", currency: "EUR", region: "eu-west"));
        await h.Append(Order("Q-CURRENCY"), at(1), Placed("Q-CURRENCY", 10_000m, crm: "hubspot", currency: "EUR", region: "eu-west"));
        await h.Append(Billing("Q-CURRENCY"), at(1.1), Handoff("Q-CURRENCY", 10_000m, "EUR"), Ack("Q-CURRENCY", 10_000m, "USD"));

        // QTC-06: the CRM still shows "sent"; it caught up after three hours (closed); it caught up within the SLA (never due).
        await h.Append(Quote("Q-CRM-STALE"), at(0), AcceptedQuote("Q-CRM-STALE", 4_000m));
        await h.Append("crm-quote-report-salesforce-Q-CRM-STALE", at(0.1), Reported("Q-CRM-STALE", QuoteStatus.Sent, at(0.05)));
        await h.Append(Quote("Q-CRM-LATE"), at(0), AcceptedQuote("Q-CRM-LATE", 4_100m));
        await h.Append("crm-quote-report-salesforce-Q-CRM-LATE", at(0.1), Reported("Q-CRM-LATE", QuoteStatus.Sent, at(0.05)));
        await h.Append("crm-quote-report-salesforce-Q-CRM-LATE", at(3), Reported("Q-CRM-LATE", QuoteStatus.Accepted, at(2.9)));
        await h.Append(Quote("Q-CRM-SOON"), at(0), AcceptedQuote("Q-CRM-SOON", 4_200m));
        await h.Append("crm-quote-report-salesforce-Q-CRM-SOON", at(0.1), Reported("Q-CRM-SOON", QuoteStatus.Sent, at(0.05)));
        await h.Append("crm-quote-report-salesforce-Q-CRM-SOON", at(0.5), Reported("Q-CRM-SOON", QuoteStatus.Accepted, at(0.45)));

        // QTC-07: Acme under two canonical ids (by name and by domain); Globex twice, then merged (closed).
        await h.Append("customer-cust-acme", at(0), new CustomerRegistered(new CustomerId("cust-acme"), "ACME Corp.", "acme.com", "mdm", T0),
            new CrmAccountLinked(new CustomerId("cust-acme"), "salesforce", "001-acme", "mdm", T0));
        await h.Append("customer-cust-acme-2", at(0.2), new CustomerRegistered(new CustomerId("cust-acme-2"), "Acme Corporation", "https://www.acme.com/", "mdm", T0),
            new CrmAccountLinked(new CustomerId("cust-acme-2"), "hubspot", "hs-acme", "mdm", T0));
        await h.Append("customer-cust-globex", at(0), new CustomerRegistered(new CustomerId("cust-globex"), "Globex", null, "mdm", T0));
        await h.Append("customer-cust-globex-2", at(0.3), new CustomerRegistered(new CustomerId("cust-globex-2"), "Globex Inc", null, "mdm", T0),
            new CrmAccountLinked(new CustomerId("cust-globex-2"), "dynamics", "dyn-globex", "mdm", T0));
        await h.Append("customer-cust-globex-2", at(24), new CustomerMerged(new CustomerId("cust-globex-2"), new CustomerId("cust-globex"), [new CrmAccount("dynamics", "dyn-globex")], "mdm", T0));

        // QTC-08: approved, approval invalidated, sent anyway under the stale approval.
        var fingerprint = Fingerprint(50_000m);
        await h.Append(Quote("Q-STALE-APPROVAL"), at(0), Drafted("Q-STALE-APPROVAL"), new QuotePriced(new QuoteId("Q-STALE-APPROVAL"), 1, Price(50_000m), T0),
            new QuoteSubmittedForApproval(new QuoteId("Q-STALE-APPROVAL"), 1, fingerprint, [ApprovalLevel.DealDesk], "alice.rep", T0));
        await h.Append("approval-Q-STALE-APPROVAL-r1", at(0.5), new ApprovalRequested("Q-STALE-APPROVAL", 1, "alice.rep", fingerprint, [ApprovalLevel.DealDesk], "enterprise", "us-east", T0),
            new ApprovalLevelGranted("Q-STALE-APPROVAL", 1, ApprovalLevel.DealDesk, "dave.dealdesk", fingerprint, T0, DecisionAuthority.Own),
            new ApprovalCompleted("Q-STALE-APPROVAL", 1, fingerprint, T0));
        await h.Append(Quote("Q-STALE-APPROVAL"), at(1), new QuoteApproved(new QuoteId("Q-STALE-APPROVAL"), 1, fingerprint, false, "approval-workflow", T0));
        await h.Append("approval-Q-STALE-APPROVAL-r1", at(2), new ApprovalInvalidated("Q-STALE-APPROVAL", 1, "Pricing policy withdrawn", T0));
        await h.Append(Quote("Q-STALE-APPROVAL"), at(3), new QuoteSent(new QuoteId("Q-STALE-APPROVAL"), 1, "sha256:doc", "alice.rep", T0));

        // An approval still waiting: deal desk granted, the VP level pending.
        var pending = Fingerprint(80_000m);
        await h.Append("approval-Q-PENDING-r1", at(4), new ApprovalRequested("Q-PENDING", 1, "bob.rep", pending, [ApprovalLevel.DealDesk, ApprovalLevel.VicePresident], "enterprise", "us-east", T0));
        await h.Append("approval-Q-PENDING-r1", at(6), new ApprovalLevelGranted("Q-PENDING", 1, ApprovalLevel.DealDesk, "dave.dealdesk", pending, T0, DecisionAuthority.Own));

        // QTC-09: billing acknowledged twice under two invoice numbers; two invoices reported, then one voided (closed).
        await Ordered(h, "Q-DUP-INV", 8_000m, at(1));
        await h.Append(Billing("Q-DUP-INV"), at(1.1), Handoff("Q-DUP-INV", 8_000m), Ack("Q-DUP-INV", 8_000m),
            new BillingDuplicateInvoiceDetected(OrderId("Q-DUP-INV"), "INV-Q-DUP-INV", "INV-Q-DUP-INV-2", 8_000m, T0));
        await Delivered(h, "Q-DUP-RECORDS", 8_100m, at(1));
        await h.Append("billing-record-INV-DR-1", at(2), Record("INV-DR-1", "Q-DUP-RECORDS", 8_100m));
        await h.Append("billing-record-INV-DR-2", at(2.1), Record("INV-DR-2", "Q-DUP-RECORDS", 8_100m));
        await h.Append("billing-record-INV-DR-2", at(8), Record("INV-DR-2", "Q-DUP-RECORDS", 8_100m, BillingRecordStatus.Void));

        // QTC-10: billed for an order the ledger never placed; billed before the order was placed (closed).
        await h.Append("billing-record-INV-GHOST", at(2), Record("INV-GHOST", "Q-GHOST", 999m));
        await h.Append("billing-record-INV-EARLY", at(2), Record("INV-EARLY", "Q-BILLED-EARLY", 1_200m));
        await h.Append(Quote("Q-BILLED-EARLY"), at(3), AcceptedQuote("Q-BILLED-EARLY", 1_200m));
        await h.Append(Order("Q-BILLED-EARLY"), at(3.1), Placed("Q-BILLED-EARLY", 1_200m));
        await h.Append(Billing("Q-BILLED-EARLY"), at(3.2), Handoff("Q-BILLED-EARLY", 1_200m), Ack("Q-BILLED-EARLY", 1_200m));

        // QTC-11: billing never answered the handoff, nor did the timeout mark it; answered after the SLA (closed); the
        // order cancelled within the SLA (never due) and after it (closed). Every handoff above was answered, failed or
        // timed out within the SLA, so none of them is due either.
        await Ordered(h, "Q-UNANSWERED", 2_200m, at(4));
        await h.Append(Billing("Q-UNANSWERED"), at(4.25), Handoff("Q-UNANSWERED", 2_200m));
        await Ordered(h, "Q-ANSWERED-LATE", 2_300m, at(4));
        await h.Append(Billing("Q-ANSWERED-LATE"), at(4.25), Handoff("Q-ANSWERED-LATE", 2_300m));
        await h.Append(Billing("Q-ANSWERED-LATE"), at(7), Ack("Q-ANSWERED-LATE", 2_300m));
        await Ordered(h, "Q-HANDOFF-CANCELLED", 2_400m, at(4));
        await h.Append(Billing("Q-HANDOFF-CANCELLED"), at(4.25), Handoff("Q-HANDOFF-CANCELLED", 2_400m));
        await h.Append(Order("Q-HANDOFF-CANCELLED"), at(4.5), Cancelled("Q-HANDOFF-CANCELLED"));
        await Ordered(h, "Q-HANDOFF-CANCELLED-LATE", 2_500m, at(4));
        await h.Append(Billing("Q-HANDOFF-CANCELLED-LATE"), at(4.25), Handoff("Q-HANDOFF-CANCELLED-LATE", 2_500m));
        await h.Append(Order("Q-HANDOFF-CANCELLED-LATE"), at(9), Cancelled("Q-HANDOFF-CANCELLED-LATE"));

        // QTC-12 and QTC-13 (ADR/0021): contract A amended (v2, 1,000 handed off) and billed 900; billing also holds an
        // invoice for a v3 it never made. Contract B's amendment billed 1,100 for 1,000, then a 100 credit note (closed).
        await h.Append("contract-ctr-Q-CTR-A", at(1), Started("ctr-Q-CTR-A"), Amended("ctr-Q-CTR-A", 1_000m));
        await h.Append("billing-ctr-Q-CTR-A-v2", at(1.1), new BillingHandoffAcknowledged("ctr-Q-CTR-A-v2", "INV-CA-2", 900m, "USD", false, T0));
        await h.Append("billing-record-INV-CA-3", at(2), ContractRecord("INV-CA-3", "ctr-Q-CTR-A-v3", 450m));
        await h.Append("contract-ctr-Q-CTR-B", at(1), Started("ctr-Q-CTR-B"), Amended("ctr-Q-CTR-B", 1_000m));
        await h.Append("billing-record-INV-CB-2", at(2), ContractRecord("INV-CB-2", "ctr-Q-CTR-B-v2", 1_100m));
        await h.Append("billing-record-CN-CB-2", at(3), ContractRecord("CN-CB-2", "ctr-Q-CTR-B-v2", 100m, BillingRecordKind.CreditNote));

        // QTC-03, QTC-04 and QTC-11 on contract changes (ADR/0021): C's amendment handoff timed out unconfirmed, D's failed,
        // E's was never answered, F's was answered after the SLA (closed).
        foreach (var id in new[] { "C", "D", "E", "F" })
        {
            var contractId = $"ctr-Q-CTR-{id}";
            await h.Append($"contract-{contractId}", at(4), Started(contractId), Amended(contractId, 1_000m));
            await h.Append($"billing-{contractId}-v2", at(4.25), new BillingHandoffRequested($"{contractId}-v2", 1_000m, "USD", "BA-ACME-001",
                $"billing-{contractId}-v2", "hash", T0, T0 + Duration.FromMinutes(10), new ContractChange(new ContractId(contractId), 2, ContractChangeKind.Amendment)));
        }
        await h.Append("billing-ctr-Q-CTR-C-v2", at(4.5), new BillingHandoffTimedOut("ctr-Q-CTR-C-v2", Duration.FromMinutes(10), T0));
        await h.Append("billing-ctr-Q-CTR-D-v2", at(4.5), new BillingHandoffFailed("ctr-Q-CTR-D-v2", "Billing account is closed", false, T0));
        await h.Append("billing-ctr-Q-CTR-F-v2", at(7), new BillingHandoffAcknowledged("ctr-Q-CTR-F-v2", "INV-CF-2", 1_000m, "USD", false, T0));

        // QTC-14: G amended, its CRM still shows no change (open after the hour); H's CRM showed the amendment two hours
        // before the ledger made it (open at 5, closed by the amendment at 6).
        await h.Append("contract-ctr-Q-CTR-G", at(4), Started("ctr-Q-CTR-G"), Amended("ctr-Q-CTR-G", 1_000m));
        await h.Append("crm-contract-report-salesforce-ctr-Q-CTR-G", at(4.5), new CrmContractStateReported("salesforce", new ContractId("ctr-Q-CTR-G"), [], T0, T0));
        await h.Append("contract-ctr-Q-CTR-H", at(4), Started("ctr-Q-CTR-H"));
        await h.Append("crm-contract-report-salesforce-ctr-Q-CTR-H", at(4),
            new CrmContractStateReported("salesforce", new ContractId("ctr-Q-CTR-H"), [new CrmContractChange(2, ContractChangeKind.Amendment)], T0, T0));
        await h.Append("contract-ctr-Q-CTR-H", at(6), Amended("ctr-Q-CTR-H", 1_000m));
        // H's renewal quote is drafted (a note: no change of terms, no finding); the console lists it beside H's quote.
        await h.Append("contract-ctr-Q-CTR-H", at(6.5), new Ledger.Domain.Contracts.ContractRenewalQuoted(new ContractId("ctr-Q-CTR-H"), new LocalDate(2027, 2, 28), new QuoteId("Q-CTR-H-RN2"), 5m, T0));
    }

    private static Ledger.Domain.Contracts.ContractStarted Started(string contractId) =>
        new(new ContractId(contractId), 1, new OrderId($"ord-{contractId[4..]}"), new QuoteId(contractId[4..]), 1, "salesforce", new CustomerId("cust-acme"), "ledger-inc-us", "USD", "America/New_York",
            new LocalDate(2026, 3, 1), new LocalDate(2027, 2, 28), 12, false,
            [new("L1", "SAAS-SEATS", "2026.1", 10m, 1200m, 0m, 12_000m)], 12_000m, "INV-START", T0);

    private static Ledger.Domain.Contracts.ContractAmended Amended(string contractId, decimal prorated) =>
        new(new ContractId(contractId), 2, new LocalDate(2026, 3, 15), new LocalDate(2027, 2, 28), 351, 365,
            [new("L1", "SAAS-SEATS", "2026.1", 10m, 11m, 1200m, 0m, 1200m, prorated)], "USD", prorated, "crm-salesforce", T0);

    private static BillingRecordReported ContractRecord(string recordId, string handoffId, decimal amount, BillingRecordKind kind = BillingRecordKind.Invoice) =>
        new(recordId, handoffId, kind, amount, "USD", BillingRecordStatus.Issued, T0, T0);

    private static OrderCancelled Cancelled(string quoteId) => new(new OrderId(OrderId(quoteId)), new QuoteId(quoteId), "Customer withdrew", "crm-integration", T0);

    private static async Task Ordered(History h, string id, decimal net, Instant at)
    {
        await h.Append(Quote(id), at - Duration.FromHours(1), AcceptedQuote(id, net));
        await h.Append(Order(id), at, Placed(id, net));
    }

    private static async Task Delivered(History h, string id, decimal net, Instant at)
    {
        await Ordered(h, id, net, at);
        await h.Append(Billing(id), at + Duration.FromMinutes(5), Handoff(id, net), Ack(id, net));
    }

    private static BillingRecordReported Record(string recordId, string quoteId, decimal amount, BillingRecordStatus status = BillingRecordStatus.Issued) =>
        new(recordId, OrderId(quoteId), BillingRecordKind.Invoice, amount, "USD", status, T0, T0);

    private static CrmQuoteStateReported Reported(string quoteId, QuoteStatus status, Instant observedAt) =>
        new("salesforce", new QuoteId(quoteId), $"opp-{quoteId}", status, observedAt, observedAt);
}
