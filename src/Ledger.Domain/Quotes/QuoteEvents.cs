using Ledger.Domain.Common;
using Ledger.Domain;
using Ledger.Domain.Approvals;
using NodaTime;

namespace Ledger.Domain.Quotes;

public sealed record QuoteLine(
    string LineId, string ProductOfferingId, string CatalogVersion, decimal Quantity, decimal ListPrice, decimal DiscountPercent);

public sealed record PricedLine(
    string LineId, string ProductOfferingId, string CatalogVersion, decimal Quantity, decimal ListPrice,
    decimal DiscountPercent, decimal ListAmount, decimal DiscountAmount, decimal NetAmount);

/// <summary>The price calculation as it was done: per line and in total, with the policy it was done under and a hash of it all.</summary>
public sealed record PriceSnapshot(
    string Currency, IReadOnlyList<PricedLine> Lines, decimal ListTotal, decimal DiscountTotal, decimal NetTotal,
    decimal MaxDiscountPercent, string PolicyVersion, string Hash);

/// <summary>Events of a quote stream (<c>quote-{quoteId}</c>). Shipped shapes are never edited; a new version is added.</summary>
[Closed]
public abstract record QuoteEvent(QuoteId QuoteId);

/// <summary>
/// An event that sets the quote's last valid day. The expiry reaction schedules its look for every such event, so a new
/// one (another way to move the day) is declared here and the reaction needs no change (ADR/0028).
/// </summary>
public interface ISetsQuoteValidity
{
    LocalDate ValidUntil { get; }
}

[EventName("quote-drafted.v1")]
public sealed record QuoteDrafted(
    QuoteId QuoteId, string SourceCrm, string CrmOpportunityId, string CrmAccountId, CustomerId CustomerId, string Owner,
    string Currency, string Segment, string Region, string LegalEntity, string TimeZone, string PriceBookVersion,
    LocalDate ValidFrom, LocalDate ValidUntil, int Revision, Instant DraftedAt) : QuoteEvent(QuoteId), ISetsQuoteValidity;

[EventName("quote-line-added.v1")]
public sealed record QuoteLineAdded(QuoteId QuoteId, int Revision, QuoteLine Line, Instant AddedAt) : QuoteEvent(QuoteId);

[EventName("quote-line-changed.v1")]
public sealed record QuoteLineChanged(QuoteId QuoteId, int Revision, string LineId, decimal Quantity, decimal DiscountPercent, Instant ChangedAt)
    : QuoteEvent(QuoteId);

[EventName("quote-line-removed.v1")]
public sealed record QuoteLineRemoved(QuoteId QuoteId, int Revision, string LineId, Instant RemovedAt) : QuoteEvent(QuoteId);

[EventName("quote-priced.v1")]
public sealed record QuotePriced(QuoteId QuoteId, int Revision, PriceSnapshot Snapshot, Instant PricedAt) : QuoteEvent(QuoteId);

[EventName("quote-submitted-for-approval.v1")]
public sealed record QuoteSubmittedForApproval(
    QuoteId QuoteId, int Revision, ApprovalFingerprint Fingerprint, IReadOnlyList<ApprovalLevel> RequiredLevels, string SubmittedBy,
    Instant SubmittedAt) : QuoteEvent(QuoteId);

/// <param name="WithinPolicy">True when no approval level was required: approved on submit, without an approval stream.</param>
[EventName("quote-approved.v1")]
public sealed record QuoteApproved(QuoteId QuoteId, int Revision, ApprovalFingerprint Fingerprint, bool WithinPolicy, string ApprovedBy, Instant ApprovedAt)
    : QuoteEvent(QuoteId);

[EventName("quote-rejected.v1")]
public sealed record QuoteRejected(QuoteId QuoteId, int Revision, ApprovalFingerprint Fingerprint, string RejectedBy, string Reason, Instant RejectedAt)
    : QuoteEvent(QuoteId);

[EventName("quote-revised.v1")]
public sealed record QuoteRevised(QuoteId QuoteId, int PreviousRevision, int Revision, string Reason, string RevisedBy, Instant RevisedAt)
    : QuoteEvent(QuoteId);

[EventName("quote-sent.v1")]
public sealed record QuoteSent(QuoteId QuoteId, int Revision, string DocumentHash, string SentBy, Instant SentAt) : QuoteEvent(QuoteId);

[EventName("quote-accepted.v1")]
public sealed record QuoteAccepted(QuoteId QuoteId, int Revision, string AcceptanceType, string Signer, Instant AcceptedAt) : QuoteEvent(QuoteId);

[EventName("quote-expired.v1")]
public sealed record QuoteExpired(QuoteId QuoteId, int Revision, LocalDate ValidUntil, Instant ExpiredAt) : QuoteEvent(QuoteId);

[EventName("quote-validity-extended.v1")]
public sealed record QuoteValidityExtended(
    QuoteId QuoteId, int Revision, LocalDate PreviousValidUntil, LocalDate ValidUntil, string Reason, string ExtendedBy, Instant ExtendedAt) : QuoteEvent(QuoteId),
    ISetsQuoteValidity;

[EventName("quote-withdrawn.v1")]
public sealed record QuoteWithdrawn(QuoteId QuoteId, int Revision, string Reason, string WithdrawnBy, Instant WithdrawnAt) : QuoteEvent(QuoteId);

[EventName("quote-converted-to-order.v1")]
public sealed record QuoteConvertedToOrder(QuoteId QuoteId, int Revision, OrderId OrderId, Instant ConvertedAt) : QuoteEvent(QuoteId);
