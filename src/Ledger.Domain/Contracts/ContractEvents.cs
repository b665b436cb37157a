using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Contracts;

/// <summary>A subscribed line: its agreed unit list price and discount, and its net amount for a whole term at its quantity.</summary>
public sealed record ContractLine(
    string LineId, string ProductOfferingId, string CatalogVersion, decimal Quantity, decimal ListPrice, decimal DiscountPercent, decimal TermNetAmount);

/// <summary>One line of an amendment: its quantity before and after, the change over a whole term, and that change prorated.</summary>
public sealed record ContractLineChange(
    string LineId, string ProductOfferingId, string CatalogVersion, decimal PreviousQuantity, decimal Quantity, decimal ListPrice,
    decimal DiscountPercent, decimal TermNetDelta, decimal ProratedAmount);

/// <summary>What a cancelled line is credited: its term net amount prorated to the days left.</summary>
public sealed record ContractLineCredit(string LineId, decimal TermNetAmount, decimal CreditAmount);

/// <summary>Events of a contract stream (<c>contract-{contractId}</c>). Shipped shapes are never edited; a new version is added.</summary>
[Closed]
public abstract record ContractEvent(ContractId ContractId);

/// <summary>
/// The billed order of a subscription quote became a contract: its subscribed lines as accepted and priced, the term
/// from the billing acknowledgement's date in the quote's zone (ADR/0021). <paramref name="EndDate"/> is the term's last day.
/// </summary>
[EventName("contract-started.v1")]
public sealed record ContractStarted(
    ContractId ContractId, int Version, OrderId OrderId, QuoteId QuoteId, int QuoteRevision, string SourceCrm, CustomerId CustomerId, string LegalEntity,
    string Currency, string TimeZone, LocalDate StartDate, LocalDate EndDate, int TermMonths, bool Evergreen, IReadOnlyList<ContractLine> Lines,
    decimal TermNetTotal, string BillingReference, Instant StartedAt) : ContractEvent(ContractId);

/// <summary>
/// Lines added, removed or changed in quantity from <paramref name="EffectiveDate"/>, co-termed to the term's end: the
/// prorated total is what billing charges (positive) or credits (negative) for the rest of the term.
/// </summary>
[EventName("contract-amended.v1")]
public sealed record ContractAmended(
    ContractId ContractId, int Version, LocalDate EffectiveDate, LocalDate EndDate, int DaysRemaining, int DaysInTerm,
    IReadOnlyList<ContractLineChange> Changes, string Currency, decimal ProratedTotal, string AmendedBy, Instant AmendedAt) : ContractEvent(ContractId);

/// <summary>The notice period before the term's end began and the contract is neither renewed nor ended: its renewal is due.</summary>
[EventName("contract-renewal-due.v1")]
public sealed record ContractRenewalDue(ContractId ContractId, int Version, LocalDate EndDate, int NoticeDays, bool Evergreen, Instant RecordedAt)
    : ContractEvent(ContractId);

/// <summary>A new term follows the old one, at prices uplifted by <paramref name="UpliftPercent"/>; automatic for an evergreen contract at its end.</summary>
[EventName("contract-renewed.v1")]
public sealed record ContractRenewed(
    ContractId ContractId, int Version, LocalDate PreviousEndDate, LocalDate StartDate, LocalDate EndDate, decimal UpliftPercent,
    IReadOnlyList<ContractLine> Lines, decimal TermNetTotal, bool Automatic, string RenewedBy, Instant RenewedAt) : ContractEvent(ContractId);

/// <summary>
/// The contract's renewal quote was accepted, ordered and billed: the next term follows at that quote's subscribed lines
/// (quantities, list prices and discounts as the customer accepted them), on the same contract (ADR/0021). It was billed
/// with its order (<paramref name="OrderId"/>, <paramref name="BillingReference"/>), so it hands nothing to billing again.
/// </summary>
[EventName("contract-renewed-by-quote.v1")]
public sealed record ContractRenewedByQuote(
    ContractId ContractId, int Version, LocalDate PreviousEndDate, LocalDate StartDate, LocalDate EndDate, QuoteId QuoteId, int QuoteRevision,
    OrderId OrderId, decimal UpliftPercent, IReadOnlyList<ContractLine> Lines, decimal TermNetTotal, string BillingReference, Instant RenewedAt)
    : ContractEvent(ContractId);

/// <summary>The term ended without a renewal.</summary>
[EventName("contract-expired.v1")]
public sealed record ContractExpired(ContractId ContractId, int Version, LocalDate EndDate, Instant ExpiredAt) : ContractEvent(ContractId);

/// <summary>Terminated from <paramref name="EffectiveDate"/>: the customer is owed the prorated rest of the term.</summary>
[EventName("contract-cancelled.v1")]
public sealed record ContractCancelled(
    ContractId ContractId, int Version, LocalDate EffectiveDate, LocalDate EndDate, int DaysRemaining, int DaysInTerm, IReadOnlyList<ContractLineCredit> Credits,
    string Currency, decimal CreditTotal, string Reason, string CancelledBy, Instant CancelledAt) : ContractEvent(ContractId);

/// <summary>
/// Billing acknowledged the handoff of the change that made <paramref name="ChangeVersion"/> (an amendment's delta, a
/// renewal's term, a cancellation's credit). A note beside the terms: the contract's version does not move.
/// <paramref name="ExpectedAmount"/> is what the ledger handed off; <paramref name="BilledAmount"/> what billing says it billed.
/// </summary>
[EventName("contract-change-billed.v1")]
public sealed record ContractChangeBilled(
    ContractId ContractId, int ChangeVersion, Billing.ContractChangeKind Kind, string HandoffId, string BillingReference, decimal ExpectedAmount,
    decimal BilledAmount, string Currency, Instant BilledAt) : ContractEvent(ContractId);

/// <summary>
/// An amendment whose delta needs approval under the pricing policy (ADR/0021): the terms stay as they are until its
/// approval stream (<c>approval-{contractId}-r{version}</c>) completes. <paramref name="Amendment"/> is what will be
/// recorded then; <paramref name="Fingerprint"/> is what the approvers approve (the version it makes, a hash of the
/// amendment, the policy version).
/// </summary>
[EventName("contract-amendment-proposed.v1")]
public sealed record ContractAmendmentProposed(
    ContractId ContractId, int BasedOnVersion, Approvals.ApprovalFingerprint Fingerprint, IReadOnlyList<Approvals.ApprovalLevel> RequiredLevels,
    string Segment, string Region, decimal DeltaMaxDiscountPercent, decimal DeltaTermNet, ContractAmended Amendment, Instant ProposedAt)
    : ContractEvent(ContractId);

/// <summary>An approver denied a level of a proposed amendment: it is dropped, the terms unchanged.</summary>
[EventName("contract-amendment-rejected.v1")]
public sealed record ContractAmendmentRejected(
    ContractId ContractId, Approvals.ApprovalFingerprint Fingerprint, string Approver, string Reason, Instant RejectedAt) : ContractEvent(ContractId);

/// <summary>
/// The renewal quote for the term ending <paramref name="EndDate"/> was drafted (a reaction to its renewal falling due):
/// a draft of the contract's CRM, its lines at the policy's uplift, to be amended, priced and sent as any quote.
/// </summary>
[EventName("contract-renewal-quoted.v1")]
public sealed record ContractRenewalQuoted(ContractId ContractId, LocalDate EndDate, QuoteId RenewalQuoteId, decimal UpliftPercent, Instant QuotedAt)
    : ContractEvent(ContractId);

/// <summary>
/// An amendment quote was drafted against <paramref name="BasedOnVersion"/> (ADR/0021): its lines start from the
/// contract's, and it is priced, approved, sent and accepted as any quote. Its order amends the contract while it is still
/// at that version; the version does not move here.
/// </summary>
[EventName("contract-amendment-quoted.v1")]
public sealed record ContractAmendmentQuoted(
    ContractId ContractId, QuoteId QuoteId, int BasedOnVersion, LocalDate EffectiveDate, LocalDate EndDate, string QuotedBy, Instant QuotedAt)
    : ContractEvent(ContractId);

/// <summary>
/// The contract's amendment quote was accepted and ordered: its lines change as the quote's delta says, co-termed from
/// <paramref name="EffectiveDate"/>, prorated by the one rule. Unlike a renewal by quote, the order is not billed on its
/// own path: <paramref name="ProratedTotal"/> is handed to billing as any amendment's delta (<c>billing-{contractId}-v{version}</c>).
/// </summary>
[EventName("contract-amended-by-quote.v1")]
public sealed record ContractAmendedByQuote(
    ContractId ContractId, int Version, LocalDate EffectiveDate, LocalDate EndDate, int DaysRemaining, int DaysInTerm,
    IReadOnlyList<ContractLineChange> Changes, string Currency, decimal ProratedTotal, QuoteId QuoteId, int QuoteRevision, OrderId OrderId,
    Instant AmendedAt) : ContractEvent(ContractId);
