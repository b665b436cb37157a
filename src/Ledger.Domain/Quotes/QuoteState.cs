using System.Collections.Immutable;
using Ledger.Domain.Approvals;
using NodaTime;

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
    string? OrderId)
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

public static class QuoteEvolution
{
    public static QuoteState Evolve(QuoteState state, QuoteEvent @event) => @event switch
    {
        QuoteDrafted e => state with { Status = QuoteStatus.Draft, Draft = e, Revision = e.Revision },
        QuoteLineAdded e => state with { Lines = state.Lines.Add(e.Line), Pricing = null },
        QuoteLineChanged e => state with
        {
            Lines = state.Lines.Select(l => l.LineId == e.LineId ? l with { Quantity = e.Quantity, DiscountPercent = e.DiscountPercent } : l).ToImmutableList(),
            Pricing = null,
        },
        QuoteLineRemoved e => state with { Lines = state.Lines.RemoveAll(l => l.LineId == e.LineId), Pricing = null },
        QuotePriced e => state with { Pricing = e.Snapshot },
        QuoteSubmittedForApproval e => state with { Status = QuoteStatus.InApproval, SubmittedFingerprint = e.Fingerprint, RequiredLevels = e.RequiredLevels },
        QuoteApproved e => state with { Status = QuoteStatus.Approved, ApprovedFingerprint = e.Fingerprint },
        QuoteRejected => state with { Status = QuoteStatus.Rejected },
        // A revision starts over: earlier pricing and approvals no longer count.
        QuoteRevised e => state with
        {
            Status = QuoteStatus.Draft, Revision = e.Revision, Pricing = null, SubmittedFingerprint = null, RequiredLevels = [],
            ApprovedFingerprint = null,
        },
        QuoteSent => state with { Status = QuoteStatus.Sent },
        QuoteAccepted => state with { Status = QuoteStatus.Accepted },
        QuoteExpired => state with { Status = QuoteStatus.Expired },
        QuoteWithdrawn => state with { Status = QuoteStatus.Withdrawn },
        QuoteConvertedToOrder e => state with { Status = QuoteStatus.Ordered, OrderId = e.OrderId },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown quote event."),
    };
}
