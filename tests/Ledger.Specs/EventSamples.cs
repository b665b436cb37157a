using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Catalog;
using Ledger.Domain.Contracts;
using Ledger.Domain.Customers;
using Ledger.Domain.Opportunities;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;
using NodaTime;
using Ledger.Domain.Common;

namespace Ledger.Specs;

/// <summary>One fixed sample of every event type, for the JSON shape snapshots.</summary>
public static class EventSamples
{
    private static readonly Instant At = Instant.FromUtc(2025, 11, 3, 14, 0);
    private static readonly LocalDate From = new(2025, 11, 1);
    private static readonly LocalDate Until = new(2025, 11, 30);
    private const string Q = "Q-1001";
    private const string Order = "ord-Q-1001";

    private static readonly QuoteLine Line = new("L1", "analytics-platform", "cat-2025-11", 10m, 1200.00m, 5m);
    private static readonly PricedLine Priced = new("L1", "analytics-platform", "cat-2025-11", 10m, 1200.00m, 5m, 12000.00m, 600.00m, 11400.00m);
    private static readonly PriceSnapshot Snapshot = new("USD", [Priced], 12000.00m, 600.00m, 11400.00m, 5m, "policy-2025-11", "9f86d081884c7d65");
    private static readonly ApprovalFingerprint Fingerprint = new(1, "9f86d081884c7d65", "policy-2025-11");
    private static readonly ContractLine ContractLine = new("L1", "analytics-platform", "cat-2025-11", 10m, 1200.00m, 15m, 10200.00m);
    private static readonly ApprovalThresholds Thresholds = new(10m, 20m, 30m, [new ListPrice("USD", 250000m)]);

    public static readonly IReadOnlyList<object> All =
    [
        new QuoteDrafted(new QuoteId(Q), "salesforce", "006Dn000001AcmeQ4", "001Dn000000Acme", new CustomerId("cust-acme"), "alice.rep", "USD", "enterprise", "us-east",
            "ledger-inc-us", "America/New_York", "pb-2025-q4", From, Until, 1, At),
        new QuoteLineAdded(new QuoteId(Q), 1, Line, At),
        new QuoteLineChanged(new QuoteId(Q), 1, "L1", 12m, 7.5m, At),
        new QuoteLineRemoved(new QuoteId(Q), 1, "L1", At),
        new QuotePriced(new QuoteId(Q), 1, Snapshot, At),
        new QuoteSubmittedForApproval(new QuoteId(Q), 1, Fingerprint, [ApprovalLevel.DealDesk, ApprovalLevel.VicePresident], "alice.rep", At),
        new QuoteApproved(new QuoteId(Q), 1, Fingerprint, false, "approval-workflow", At),
        new QuoteRejected(new QuoteId(Q), 1, Fingerprint, "dave.dealdesk", "Too deep", At),
        new QuoteRevised(new QuoteId(Q), 1, 2, "Customer asked for 12 seats", "alice.rep", At),
        new QuoteSent(new QuoteId(Q), 1, "sha256:5f2b9c0e", "alice.rep", At),
        new QuoteAccepted(new QuoteId(Q), 1, "e-signature", "dana.cfo@acme.example", At),
        new QuoteExpired(new QuoteId(Q), 1, Until, At),
        new QuoteValidityExtended(new QuoteId(Q), 1, new LocalDate(2026, 3, 31), new LocalDate(2026, 4, 15), "Customer board meets on April 10th", "alice.rep", At),
        new QuoteWithdrawn(new QuoteId(Q), 1, "Opportunity lost", "alice.rep", At),
        new QuoteConvertedToOrder(new QuoteId(Q), 1, new OrderId(Order), At),

        new ApprovalRequested(Q, 1, "alice.rep", Fingerprint, [ApprovalLevel.DealDesk, ApprovalLevel.VicePresident], "enterprise", "us-east", At),
        new ApprovalLevelGranted(Q, 1, ApprovalLevel.DealDesk, "dave.dealdesk", Fingerprint, At,
            DecisionAuthority.Delegated(new ApprovalDelegation("dina.dealdesk-lead", [ApprovalLevel.DealDesk], From, Until))),
        new ApprovalLevelDenied(Q, 1, ApprovalLevel.VicePresident, "vera.vp", "Needs a 3-year term", Fingerprint, At),
        new ApprovalEscalated(Q, 1, ApprovalLevel.DealDesk, "dina.dealdesk-lead", "No answer in one day", At),
        new ApprovalCompleted(Q, 1, Fingerprint, At),
        new ApprovalInvalidated(Q, 1, "Quote revised", At),

        new ApproversSeeded([new SeededApprover("carla.cfo", [ApprovalLevel.DealDesk, ApprovalLevel.VicePresident, ApprovalLevel.Cfo])],
            [new DelegationGranted("config-carla.cfo-0", "carla.cfo", "valerie.vp", [ApprovalLevel.Cfo], From, Until, "configuration", At)], At),
        new ApproverAuthorised("valerie.vp", [ApprovalLevel.DealDesk, ApprovalLevel.VicePresident], "stewards", At),
        new ApproverRevoked("valerie.vp", "Left the company", "stewards", At),
        new DelegationGranted("cfo-travel-2025-11", "carla.cfo", "valerie.vp", [ApprovalLevel.Cfo], From, Until, "stewards", At),
        new DelegationRevoked("cfo-travel-2025-11", "Back early", "stewards", At),

        new OrderPlaced(new OrderId(Order), new AcceptedQuote(new QuoteId(Q), 1, "salesforce", new CustomerId("cust-acme"), "ledger-inc-us", "us-east", "USD", [Priced], 12000.00m, 600.00m, 11400.00m),
            "crm-integration", At, "BA-ACME-001"),
        new OrderCancelled(new OrderId(Order), new QuoteId(Q), "Customer cancelled", "ops.lead", At),
        new OrderClosed(new OrderId(Order), new QuoteId(Q), "INV-2025-000417", At),
        new OrderAmendsContract(new OrderId("ord-Q-1001-AM1"), new QuoteId("Q-1001-AM1"), new ContractId("ctr-Q-1001"), 1, At),

        new BillingHandoffRequested(Order, 11400.00m, "USD", "BA-ACME-001", "billing-ord-Q-1001-1", "sha256:8c1f0b7e", At, At + Duration.FromMinutes(10)),
        new BillingHandoffAcknowledged(Order, "INV-2025-000417", 11400.00m, "USD", false, At),
        new BillingAmountMismatchDetected(Order, "INV-2025-000417", 11400.00m, "USD", 11000.00m, "USD", At),
        new BillingDuplicateInvoiceDetected(Order, "INV-2025-000417", "INV-2025-000418", 11400.00m, At),
        new BillingHandoffFailed(Order, "503 Service Unavailable", true, At),
        new BillingHandoffTimedOut(Order, Duration.FromMinutes(15), At),
        new BillingReconciled(Order, "INV-2025-000417", "finance.ops", "Matched", At),

        new CustomerRegistered(new CustomerId("cust-acme"), "Acme Corporation", "acme.example", "mdm-sync", At),
        new CrmAccountLinked(new CustomerId("cust-acme"), "salesforce", "001Dn000000Acme", "mdm-sync", At),
        new CustomerMerged(new CustomerId("cust-acme-dup"), new CustomerId("cust-acme"), [new CrmAccount("hubspot", "8812345501")], "mdm-steward", At),
        new CrmAccountClaimed("hubspot", "8812345501", new CustomerId("cust-acme"), At),
        new CrmAccountReassigned("hubspot", "8812345501", new CustomerId("cust-acme-dup"), new CustomerId("cust-acme"), At),
        new CrmOpportunityQuoteOpened("salesforce", "006Dn000001AcmeQ4", new QuoteId("Q-1002"), new QuoteId("Q-1001"), At),

        new CatalogVersionPublished("catalog", "cat-2025-11",
            [new ProductOffering("analytics-platform", "Analytics Platform (annual seat)", [new ListPrice("USD", 1200.00m), new ListPrice("JPY", 123457m)],
                new SubscriptionTerms(12, Evergreen: false))],
            "product.ops", At),
        new PricingPolicyPublished("pricing-policy", "policy-2025-11", Thresholds, [new PolicyOverride("smb", null, Thresholds with { DealDeskAboveDiscountPercent = 5m })],
            "revops.lead", At, RenewalUpliftPercent: 7m),

        new CrmQuoteStateReported("salesforce", new QuoteId(Q), "006Dn000001AcmeQ4", QuoteStatus.Sent, At - Duration.FromMinutes(2), At),
        new CrmContractStateReported("salesforce", new ContractId("ctr-Q-1001"), [new CrmContractChange(2, ContractChangeKind.Amendment), new CrmContractChange(3, ContractChangeKind.Renewal)],
            At - Duration.FromMinutes(2), At),
        new BillingRecordReported("INV-2025-000417", Order, BillingRecordKind.Invoice, 11400.00m, "USD", BillingRecordStatus.Issued, At - Duration.FromMinutes(2), At),

        new ContractStarted(new ContractId("ctr-Q-1001"), 1, new OrderId(Order), new QuoteId(Q), 1, "salesforce", new CustomerId("cust-acme"), "ledger-inc-us", "USD", "America/New_York", new LocalDate(2026, 1, 1),
            new LocalDate(2026, 12, 31), 12, false, [ContractLine], 10200.00m, "INV-2025-000417", At),
        new ContractAmended(new ContractId("ctr-Q-1001"), 2, new LocalDate(2026, 4, 1), new LocalDate(2026, 12, 31), 275, 365,
            [new ContractLineChange("L1", "analytics-platform", "cat-2025-11", 10m, 15m, 1200.00m, 15m, 5100.00m, 3842.47m)], "USD", 3842.47m, "crm-salesforce", At),
        new ContractRenewalDue(new ContractId("ctr-Q-1001"), 2, new LocalDate(2026, 12, 31), 30, false, At),
        new ContractRenewed(new ContractId("ctr-Q-1001"), 3, new LocalDate(2026, 12, 31), new LocalDate(2027, 1, 1), new LocalDate(2027, 12, 31), 5m,
            [ContractLine with { ListPrice = 1260.00m, TermNetAmount = 10710.00m }], 10710.00m, false, "crm-salesforce", At),
        new ContractRenewedByQuote(new ContractId("ctr-Q-1001"), 3, new LocalDate(2026, 12, 31), new LocalDate(2027, 1, 1), new LocalDate(2027, 12, 31), new QuoteId("Q-1001-RN2"), 1,
            new OrderId("ord-Q-1001-RN2"), 7m, [ContractLine with { ListPrice = 1284.00m, TermNetAmount = 10914.00m }], 10914.00m, "INV-2026-000950", At),
        new ContractExpired(new ContractId("ctr-Q-1001"), 3, new LocalDate(2026, 12, 31), At),
        new ContractCancelled(new ContractId("ctr-Q-1001"), 3, new LocalDate(2026, 10, 1), new LocalDate(2026, 12, 31), 92, 365,
            [new ContractLineCredit("L1", 10200.00m, 2570.96m)], "USD", 2570.96m, "Customer consolidated", "crm-salesforce", At),
        new ContractAmendmentProposed(new ContractId("ctr-Q-1001"), 1, new ApprovalFingerprint(2, "0a5e4e5204d61e10", "policy-2025-11"), [ApprovalLevel.DealDesk],
            "enterprise", "us-east", 15m, 5100.00m, new ContractAmended(new ContractId("ctr-Q-1001"), 2, new LocalDate(2026, 4, 1), new LocalDate(2026, 12, 31), 275, 365,
                [new ContractLineChange("L1", "analytics-platform", "cat-2025-11", 10m, 15m, 1200.00m, 15m, 5100.00m, 3842.47m)], "USD", 3842.47m, "crm-salesforce", At), At),
        new ContractAmendmentRejected(new ContractId("ctr-Q-1001"), new ApprovalFingerprint(2, "0a5e4e5204d61e10", "policy-2025-11"), "dave.dealdesk", "Too deep", At),
        new ContractRenewalQuoted(new ContractId("ctr-Q-1001"), new LocalDate(2026, 12, 31), new QuoteId("Q-1001-RN2"), 7m, At),
        new ContractAmendmentQuoted(new ContractId("ctr-Q-1001"), new QuoteId("Q-1001-AM1"), 1, new LocalDate(2026, 4, 1), new LocalDate(2026, 12, 31), "crm-salesforce", At),
        new ContractAmendedByQuote(new ContractId("ctr-Q-1001"), 2, new LocalDate(2026, 4, 1), new LocalDate(2026, 12, 31), 275, 365,
            [new ContractLineChange("L1", "analytics-platform", "cat-2025-11", 10m, 15m, 1200.00m, 15m, 5100.00m, 3842.47m)], "USD", 3842.47m, new QuoteId("Q-1001-AM1"), 1,
            new OrderId("ord-Q-1001-AM1"), At),
        new ContractChangeBilled(new ContractId("ctr-Q-1001"), 2, ContractChangeKind.Amendment, "ctr-Q-1001-v2", "INV-2026-000901", 3842.47m, 3842.47m, "USD", At),

        new DiscrepancyAcknowledged("QTC-05:1:Q-1001", "QTC-05", Q, 1, "finance.ops", "Looking at the invoice", At),
        new DiscrepancyAssigned("QTC-05:1:Q-1001", "QTC-05", Q, 1, "billing-ops", "finance.ops", At),
        new DiscrepancyResolved("QTC-05:1:Q-1001", "QTC-05", Q, 1, "finance.ops", "Credit note CN-77 issued for the 400.00 difference", At),
    ];
}
