using System.Collections.Immutable;
using Ledger.Domain.Approvals;
using NodaTime;
using Ledger.Domain.Common;

namespace Ledger.Domain.Quotes;

public enum QuoteStatus { None, Draft, InApproval, Approved, Rejected, Sent, Accepted, Expired, Withdrawn, Ordered }

/// <summary>A quote as its events make it; never stored, always folded.</summary>
public sealed record QuoteState(
    QuoteStatus Status,
    QuoteDrafted? Draft,
    int Revision,
    ImmutableList<QuoteLine> Lines,
    PriceSnapshot? Pricing,
    ApprovalFingerprint? SubmittedFingerprint,
    IReadOnlyList<ApprovalLevel> RequiredLevels,
    ApprovalFingerprint? ApprovedFingerprint,
    OrderId? OrderId)
{
    public static readonly QuoteState Initial = new(QuoteStatus.None, null, 0, [], null, null, [], null, null);

    public bool IsTerminal => Status is QuoteStatus.Expired or QuoteStatus.Withdrawn or QuoteStatus.Ordered;

    /// <summary>The fingerprint of the quote as it is now: only defined once priced.</summary>
    public ApprovalFingerprint? CurrentFingerprint =>
        Pricing is null ? null : new ApprovalFingerprint(Revision, Pricing.Hash, Pricing.PolicyVersion);

    /// <summary>The first instant at which the quote is no longer valid: the end of its last valid day in its region's zone.</summary>
    public Instant? ValidityEnds => Draft is null ? null : ValidityEndOf(Draft.ValidUntil, Draft.TimeZone);

    /// <summary>A quote is valid through the whole of its last day in its own time zone.</summary>
    public static Instant ValidityEndOf(LocalDate validUntil, string timeZone) =>
        validUntil.PlusDays(1).AtStartOfDayInZone(DateTimeZoneProviders.Tzdb[timeZone]).ToInstant();

    public bool IsPastValidity(Instant now) => ValidityEnds is { } end && now >= end;
}
