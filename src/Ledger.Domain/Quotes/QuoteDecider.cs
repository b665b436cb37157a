using System.Collections.Immutable;
using Ledger.Domain.Approvals;
using Ledger.Domain.Common;
using Ledger.Domain.Customers;
using NodaTime;

namespace Ledger.Domain.Quotes;

/// <summary>
/// The quote state machine. Every transition not written here is refused with a named reason; a command that
/// is already satisfied (the same acceptance twice, withdrawing a withdrawn quote) decides nothing.
/// </summary>
public static class QuoteDecider
{
    public static string StreamId(QuoteId quoteId) => $"quote-{quoteId}";

    public static QuoteState Initial => QuoteState.Initial;

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
        QuoteValidityExtended e => state with { Draft = state.Draft! with { ValidUntil = e.ValidUntil } },
        QuoteWithdrawn => state with { Status = QuoteStatus.Withdrawn },
        QuoteConvertedToOrder e => state with { Status = QuoteStatus.Ordered, OrderId = e.OrderId },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown quote event."),
    };

    private static readonly QuoteStatus[] Open = [QuoteStatus.Draft, QuoteStatus.InApproval, QuoteStatus.Approved, QuoteStatus.Rejected, QuoteStatus.Sent];

    public static Decision<QuoteEvent> Decide(QuoteCommand command, QuoteState state, Instant now)
    {
        return command switch
        {
            DraftQuote c => Draft(c, state, now),
            AddQuoteLine c => AddLine(c, state, now),
            ChangeQuoteLine c => ChangeLine(c, state, now),
            RemoveQuoteLine c => RemoveLine(c, state, now),
            PriceQuote c => Price(c, state, now),
            SubmitQuote c => Submit(c, state, now),
            ApproveQuote c => Approve(c, state, now),
            RejectQuote c => Reject(c, state, now),
            ReviseQuote c => Revise(c, state, now),
            SendQuote c => Send(c, state, now),
            AcceptQuote c => Accept(c, state, now),
            ExpireQuote c => Expire(c, state, now),
            ExtendQuoteValidity c => ExtendValidity(c, state, now),
            WithdrawQuote c => Withdraw(c, state, now),
            ConvertQuoteToOrder c => Convert(c, state, now),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown quote command."),
        };
    }

    private static Decision<QuoteEvent> Draft(DraftQuote c, QuoteState state, Instant now)
    {
        if (state.Status != QuoteStatus.None)
            return Decision<QuoteEvent>.Refuse(RefusalKind.Conflict, "quote.already-drafted", $"Quote {c.QuoteId} already exists.", "quoteId");
        foreach (var (field, value) in new[]
                 {
                     ("quoteId", c.QuoteId), ("sourceCrm", c.SourceCrm), ("crmOpportunityId", c.CrmOpportunityId), ("crmAccountId", c.CrmAccountId),
                     ("customerId", c.CustomerId), ("owner", c.Owner), ("segment", c.Segment), ("region", c.Region), ("legalEntity", c.LegalEntity),
                     ("priceBookVersion", c.PriceBookVersion),
                 })
            if (string.IsNullOrWhiteSpace(value))
                return Decision<QuoteEvent>.Invalid(field, "quote.field-required", $"{field} is required.");
        if (Ids.Check(("quoteId", c.QuoteId), ("crmOpportunityId", c.CrmOpportunityId), ("crmAccountId", c.CrmAccountId), ("customerId", c.CustomerId)) is { } badId)
            return Decision<QuoteEvent>.Invalid(badId.Field!, "quote." + badId.Code, badId.Message);
        if (Ids.CheckLength(("sourceCrm", c.SourceCrm), ("owner", c.Owner), ("segment", c.Segment), ("region", c.Region), ("legalEntity", c.LegalEntity),
                ("priceBookVersion", c.PriceBookVersion)) is { } tooLong)
            return Decision<QuoteEvent>.Invalid(tooLong.Field!, "quote." + tooLong.Code, tooLong.Message);
        if (!Currency.IsKnown(c.Currency))
            return Decision<QuoteEvent>.Invalid("currency", "money.unknown-currency", $"'{c.Currency}' is not an ISO 4217 currency the ledger knows.");
        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(c.TimeZone ?? "") is not { } zone)
            return Decision<QuoteEvent>.Invalid("timeZone", "quote.unknown-time-zone", $"'{c.TimeZone}' is not an IANA time zone.");
        if (c.ValidUntil < c.ValidFrom)
            return Decision<QuoteEvent>.Invalid("validUntil", "quote.validity-invalid", "validUntil is before validFrom.");
        if (now >= c.ValidUntil.PlusDays(1).AtStartOfDayInZone(zone).ToInstant())
            return Decision<QuoteEvent>.Refuse(RefusalKind.RuleViolation, "quote.validity-passed", $"The validity period ended on {c.ValidUntil} in {c.TimeZone}.", "validUntil");
        if (IdentityGate(c) is { } notCanonical) return notCanonical;

        return Decision<QuoteEvent>.Of(new QuoteDrafted(c.QuoteId, c.SourceCrm, c.CrmOpportunityId, c.CrmAccountId, c.CustomerId, c.Owner,
            c.Currency, c.Segment, c.Region, c.LegalEntity, c.TimeZone!, c.PriceBookVersion, c.ValidFrom, c.ValidUntil, 1, now));
    }

    /// <summary>
    /// Seed 000, failure mode 4: a quote is for a registered canonical customer, reached through the CRM account the
    /// opportunity belongs to; a customer id the CRM names is checked against that, never taken on trust.
    /// </summary>
    private static Decision<QuoteEvent>? IdentityGate(DraftQuote c) => c.AccountCustomer switch
    {
        null => Decision<QuoteEvent>.Refuse(RefusalKind.RuleViolation, "quote.account-not-linked",
            $"{c.SourceCrm} account {c.CrmAccountId} is linked to no canonical customer; an admin links it first (POST /customers/{{id}}/accounts).", "crmAccountId"),
        { Status: CustomerStatus.None } a => Decision<QuoteEvent>.Refuse(RefusalKind.RuleViolation, "quote.customer-not-registered",
            $"{c.SourceCrm} account {c.CrmAccountId} names customer {a.CustomerId}, which is not registered.", "crmAccountId"),
        { Status: CustomerStatus.Merged } a => Decision<QuoteEvent>.Refuse(RefusalKind.Conflict, "quote.customer-merged",
            $"Customer {a.CustomerId} was merged into {a.MergedInto}; the account is being moved there, try again.", "customerId"),
        { } a when a.CustomerId != c.CustomerId => Decision<QuoteEvent>.Refuse(RefusalKind.RuleViolation, "quote.customer-not-the-accounts",
            $"{c.SourceCrm} account {c.CrmAccountId} belongs to canonical customer {a.CustomerId}, not {c.CustomerId}.", "customerId"),
        _ => null,
    };

    private static Decision<QuoteEvent> AddLine(AddQuoteLine c, QuoteState state, Instant now)
    {
        if (NotEditable(state) is { } notEditable) return notEditable;
        if (string.IsNullOrWhiteSpace(c.LineId))
            return Decision<QuoteEvent>.Invalid("lineId", "quote.field-required", "lineId is required.");
        if (LineValues(c.Quantity, c.DiscountPercent) is { } invalid) return invalid;
        if (state.Lines.Any(l => l.LineId == c.LineId))
            return Decision<QuoteEvent>.Refuse(RefusalKind.Conflict, "quote.line-exists", $"Line {c.LineId} is already on the quote.", "lineId");
        if (c.Offering is null)
            return Decision<QuoteEvent>.Refuse(RefusalKind.NotFound, "catalog.offering-unknown",
                $"Catalog version {c.CatalogVersion} has no product offering {c.ProductOfferingId}.", "productOfferingId");
        var currency = state.Draft!.Currency;
        if (c.Offering.ListPrices.FirstOrDefault(p => p.Currency == currency) is not { } price)
            return Decision<QuoteEvent>.Refuse(RefusalKind.RuleViolation, "quote.currency-mismatch",
                $"{c.ProductOfferingId} has no list price in {currency}, the quote's currency; one quote never mixes currencies.", "productOfferingId");

        if (c.UpliftPercent is < 0 or > 100)
            return Decision<QuoteEvent>.Invalid("upliftPercent", "quote.uplift-out-of-range", "An uplift is between 0 and 100 percent.");
        if (c.RenewalBasePrice is < 0)
            return Decision<QuoteEvent>.Invalid("renewalBasePrice", "quote.renewal-price-negative", "A renewal's base price is 0 or more.");
        if (c.RenewalBasePrice is { } b && Currency.Of(currency).Round(b) != b)
            return Decision<QuoteEvent>.Invalid("renewalBasePrice", "money.precision", $"{b} has more decimals than {currency} has minor units.");
        // An uplift raises the price of the term being renewed, never a catalog price: on a renewal of a renewal that
        // would drop the earlier uplifts, and a price with no renewal behind it has nothing to raise (ADR/0021).
        if (c.UpliftPercent != 0 && c.RenewalBasePrice is null)
            return Decision<QuoteEvent>.Invalid("renewalBasePrice", "quote.uplift-without-renewal-price",
                "An uplift raises the price of the term being renewed; name it (renewalBasePrice).");
        // A renewal's line: the contract's price for the term it renews, raised once by the uplift (ADR/0021).
        var listPrice = c.RenewalBasePrice is { } basePrice ? Contracts.ContractDecider.UpliftedListPrice(currency, basePrice, c.UpliftPercent) : price.Amount;
        return Decision<QuoteEvent>.Of(new QuoteLineAdded(c.QuoteId, state.Revision,
            new QuoteLine(c.LineId, c.ProductOfferingId, c.CatalogVersion, c.Quantity, listPrice, c.DiscountPercent), now));
    }

    private static Decision<QuoteEvent> ChangeLine(ChangeQuoteLine c, QuoteState state, Instant now)
    {
        if (NotEditable(state) is { } notEditable) return notEditable;
        if (LineValues(c.Quantity, c.DiscountPercent) is { } invalid) return invalid;
        if (state.Lines.FirstOrDefault(l => l.LineId == c.LineId) is not { } line)
            return Decision<QuoteEvent>.Refuse(RefusalKind.NotFound, "quote.line-unknown", $"The quote has no line {c.LineId}.", "lineId");
        if (line.Quantity == c.Quantity && line.DiscountPercent == c.DiscountPercent) return Decision<QuoteEvent>.Nothing;
        return Decision<QuoteEvent>.Of(new QuoteLineChanged(c.QuoteId, state.Revision, c.LineId, c.Quantity, c.DiscountPercent, now));
    }

    private static Decision<QuoteEvent> RemoveLine(RemoveQuoteLine c, QuoteState state, Instant now)
    {
        if (NotEditable(state) is { } notEditable) return notEditable;
        if (state.Lines.All(l => l.LineId != c.LineId))
            return Decision<QuoteEvent>.Refuse(RefusalKind.NotFound, "quote.line-unknown", $"The quote has no line {c.LineId}.", "lineId");
        return Decision<QuoteEvent>.Of(new QuoteLineRemoved(c.QuoteId, state.Revision, c.LineId, now));
    }

    private static Decision<QuoteEvent> Price(PriceQuote c, QuoteState state, Instant now)
    {
        if (NotEditable(state) is { } notEditable) return notEditable;
        if (state.Lines.IsEmpty)
            return Decision<QuoteEvent>.Refuse(RefusalKind.RuleViolation, "quote.no-lines", "A quote needs at least one line to be priced.");
        if (c.Policy is null)
            return Decision<QuoteEvent>.Refuse(RefusalKind.NotFound, "policy.unknown", "No pricing policy of that version is published.", "policyVersion");
        var snapshot = PriceCalculation.Price(state.Draft!.Currency, state.Lines, c.Policy.Version);
        if (c.Amends is { } basis)
        {
            // An amendment quote is priced at its delta: co-termed to the contract's end, prorated by the one rule (ADR/0021).
            var (changes, refused) = Contracts.AmendmentQuotes.ChangesOf(basis, state.Draft.Currency, state.Lines);
            if (refused is not null) return Decision<QuoteEvent>.Refuse(refused.Kind, refused.Code, refused.Message, refused.Field);
            snapshot = Contracts.AmendmentQuotes.Price(basis, state.Draft.Currency, changes!, c.Policy.Version);
        }
        if (state.Pricing?.Hash == snapshot.Hash) return Decision<QuoteEvent>.Nothing;
        return Decision<QuoteEvent>.Of(new QuotePriced(c.QuoteId, state.Revision, snapshot, now));
    }

    private static Decision<QuoteEvent> Submit(SubmitQuote c, QuoteState state, Instant now)
    {
        if (state.Status != QuoteStatus.Draft)
            return WrongStatus(state, "quote.not-submittable", "submitted");
        if (state.Pricing is null)
            return Decision<QuoteEvent>.Refuse(RefusalKind.RuleViolation, "quote.not-priced", "Price the quote (after its last change) before submitting it.");
        if (c.Policy is null)
            return Decision<QuoteEvent>.Refuse(RefusalKind.NotFound, "policy.unknown", $"Pricing policy {state.Pricing.PolicyVersion} is not published.", "policyVersion");
        if (c.Policy.Version != state.Pricing.PolicyVersion)
            return Decision<QuoteEvent>.Refuse(RefusalKind.RuleViolation, "quote.pricing-policy-stale",
                $"The quote was priced under policy {state.Pricing.PolicyVersion}, not {c.Policy.Version}; price it again.");
        if (state.IsPastValidity(now)) return ValidityPassed(state);

        var fingerprint = state.CurrentFingerprint!;
        var levels = ApprovalRules.RequiredLevels(c.Policy, state.Pricing, state.Draft!.Segment, state.Draft.Region);
        if (c.Amends is { } basis)
        {
            // The same rule as a direct amendment's: the deepest discount on what grows, and the whole-term net delta.
            var (changes, refused) = Contracts.AmendmentQuotes.ChangesOf(basis, state.Draft.Currency, state.Lines);
            if (refused is not null) return Decision<QuoteEvent>.Refuse(refused.Kind, refused.Code, refused.Message, refused.Field);
            var (discount, termNet) = Contracts.AmendmentQuotes.JudgedDelta(changes!);
            levels = ApprovalRules.RequiredLevels(c.Policy, discount, termNet, state.Draft.Currency, state.Draft.Segment, state.Draft.Region);
        }
        var submitted = new QuoteSubmittedForApproval(c.QuoteId, state.Revision, fingerprint, levels, c.SubmittedBy, now);
        return levels.Count == 0
            ? Decision<QuoteEvent>.Of(submitted, new QuoteApproved(c.QuoteId, state.Revision, fingerprint, WithinPolicy: true, $"policy:{c.Policy.Version}", now))
            : Decision<QuoteEvent>.Of(submitted);
    }

    private static Decision<QuoteEvent> Approve(ApproveQuote c, QuoteState state, Instant now)
    {
        if (state.Status == QuoteStatus.Approved && state.ApprovedFingerprint == c.Fingerprint) return Decision<QuoteEvent>.Nothing;
        if (state.Status != QuoteStatus.InApproval) return WrongStatus(state, "quote.not-in-approval", "approved");
        if (c.Fingerprint != state.SubmittedFingerprint || c.Fingerprint != state.CurrentFingerprint)
            return StaleFingerprint(c.Fingerprint, state);
        return Decision<QuoteEvent>.Of(new QuoteApproved(c.QuoteId, state.Revision, c.Fingerprint, WithinPolicy: false, c.ApprovedBy, now));
    }

    private static Decision<QuoteEvent> Reject(RejectQuote c, QuoteState state, Instant now)
    {
        if (state.Status == QuoteStatus.Rejected && state.SubmittedFingerprint == c.Fingerprint) return Decision<QuoteEvent>.Nothing;
        if (state.Status != QuoteStatus.InApproval) return WrongStatus(state, "quote.not-in-approval", "rejected");
        if (c.Fingerprint != state.SubmittedFingerprint) return StaleFingerprint(c.Fingerprint, state);
        return Decision<QuoteEvent>.Of(new QuoteRejected(c.QuoteId, state.Revision, c.Fingerprint, c.RejectedBy, c.Reason, now));
    }

    private static Decision<QuoteEvent> Revise(ReviseQuote c, QuoteState state, Instant now)
    {
        if (state.Status is not (QuoteStatus.InApproval or QuoteStatus.Approved or QuoteStatus.Rejected or QuoteStatus.Sent))
            return WrongStatus(state, "quote.not-revisable", "revised");
        return Decision<QuoteEvent>.Of(new QuoteRevised(c.QuoteId, state.Revision, state.Revision + 1, c.Reason, c.RevisedBy, now));
    }

    private static Decision<QuoteEvent> Send(SendQuote c, QuoteState state, Instant now)
    {
        if (state.Status != QuoteStatus.Approved) return WrongStatus(state, "quote.not-approved", "sent");
        if (string.IsNullOrWhiteSpace(c.DocumentHash))
            return Decision<QuoteEvent>.Invalid("documentHash", "quote.field-required", "documentHash is required: it proves which document the customer got.");
        if (state.ApprovedFingerprint != state.CurrentFingerprint) return StaleFingerprint(state.ApprovedFingerprint!, state);
        if (state.IsPastValidity(now)) return ValidityPassed(state);
        return Decision<QuoteEvent>.Of(new QuoteSent(c.QuoteId, state.Revision, c.DocumentHash, c.SentBy, now));
    }

    private static Decision<QuoteEvent> Accept(AcceptQuote c, QuoteState state, Instant now)
    {
        if (state.Status is QuoteStatus.Accepted or QuoteStatus.Ordered && c.Revision == state.Revision) return Decision<QuoteEvent>.Nothing;
        if (state.Status != QuoteStatus.Sent) return WrongStatus(state, "quote.not-sent", "accepted");
        if (c.Revision != state.Revision)
            return Decision<QuoteEvent>.Refuse(RefusalKind.Conflict, "quote.revision-mismatch",
                $"The customer accepted revision {c.Revision}, but revision {state.Revision} is the one that was sent.", "revision");
        if (string.IsNullOrWhiteSpace(c.AcceptanceType))
            return Decision<QuoteEvent>.Invalid("acceptanceType", "quote.field-required", "acceptanceType is required (e.g. signature, purchase-order).");
        if (string.IsNullOrWhiteSpace(c.Signer))
            return Decision<QuoteEvent>.Invalid("signer", "quote.field-required", "signer is required.");
        if (state.IsPastValidity(now)) return ValidityPassed(state);
        return Decision<QuoteEvent>.Of(new QuoteAccepted(c.QuoteId, state.Revision, c.AcceptanceType, c.Signer, now));
    }

    private static Decision<QuoteEvent> Expire(ExpireQuote c, QuoteState state, Instant now)
    {
        if (state.Status == QuoteStatus.Expired) return Decision<QuoteEvent>.Nothing;
        if (!Open.Contains(state.Status)) return WrongStatus(state, "quote.not-expirable", "expired");
        if (!state.IsPastValidity(now))
            return Decision<QuoteEvent>.Refuse(RefusalKind.Conflict, "quote.still-valid",
                $"The quote is valid until the end of {state.Draft!.ValidUntil} in {state.Draft.TimeZone}.");
        return Decision<QuoteEvent>.Of(new QuoteExpired(c.QuoteId, state.Revision, state.Draft!.ValidUntil, now));
    }

    private static Decision<QuoteEvent> ExtendValidity(ExtendQuoteValidity c, QuoteState state, Instant now)
    {
        if (state.Draft!.ValidUntil == c.ValidUntil) return Decision<QuoteEvent>.Nothing;
        if (!Open.Contains(state.Status)) return WrongStatus(state, "quote.not-extendable", "extended");
        if (state.IsPastValidity(now)) return ValidityPassed(state);
        if (c.ValidUntil < state.Draft.ValidUntil)
            return Decision<QuoteEvent>.Invalid("validUntil", "quote.validity-shortened",
                $"validUntil {c.ValidUntil} is before the current last day {state.Draft.ValidUntil}; an extension only moves it later.");
        if (string.IsNullOrWhiteSpace(c.Reason))
            return Decision<QuoteEvent>.Invalid("reason", "quote.field-required", "reason is required: it tells the auditor why the offer stood longer.");
        if (Ids.CheckLength(("reason", c.Reason)) is { } tooLong)
            return Decision<QuoteEvent>.Invalid(tooLong.Field!, "quote." + tooLong.Code, tooLong.Message);
        return Decision<QuoteEvent>.Of(new QuoteValidityExtended(c.QuoteId, state.Revision, state.Draft.ValidUntil, c.ValidUntil, c.Reason, c.ExtendedBy, now));
    }

    private static Decision<QuoteEvent> Withdraw(WithdrawQuote c, QuoteState state, Instant now)
    {
        if (state.Status == QuoteStatus.Withdrawn) return Decision<QuoteEvent>.Nothing;
        if (!Open.Contains(state.Status)) return WrongStatus(state, "quote.not-withdrawable", "withdrawn");
        return Decision<QuoteEvent>.Of(new QuoteWithdrawn(c.QuoteId, state.Revision, c.Reason, c.WithdrawnBy, now));
    }

    private static Decision<QuoteEvent> Convert(ConvertQuoteToOrder c, QuoteState state, Instant now)
    {
        if (state.Status == QuoteStatus.Ordered)
            return state.OrderId == c.OrderId
                ? Decision<QuoteEvent>.Nothing
                : Decision<QuoteEvent>.Refuse(RefusalKind.Conflict, "quote.already-ordered", $"The quote was already converted to order {state.OrderId}.");
        if (state.Status != QuoteStatus.Accepted) return WrongStatus(state, "quote.not-accepted", "converted to an order");
        return Decision<QuoteEvent>.Of(new QuoteConvertedToOrder(c.QuoteId, state.Revision, c.OrderId, now));
    }

    private static Decision<QuoteEvent>? NotEditable(QuoteState state) =>
        state.Status == QuoteStatus.Draft ? null : WrongStatus(state, "quote.not-editable", "edited (revise it first)");

    private static Decision<QuoteEvent>? LineValues(decimal quantity, decimal discountPercent)
    {
        if (quantity <= 0)
            return Decision<QuoteEvent>.Invalid("quantity", "quote.quantity-not-positive", "quantity must be greater than 0.");
        if (discountPercent is < 0 or > 100)
            return Decision<QuoteEvent>.Invalid("discountPercent", "quote.discount-out-of-range", "discountPercent must be between 0 and 100.");
        return null;
    }

    private static Decision<QuoteEvent> WrongStatus(QuoteState state, string code, string what) =>
        Decision<QuoteEvent>.Refuse(RefusalKind.Conflict, code, $"A quote in status {state.Status} cannot be {what}.");

    private static Decision<QuoteEvent> ValidityPassed(QuoteState state) =>
        Decision<QuoteEvent>.Refuse(RefusalKind.RuleViolation, "quote.validity-passed",
            $"The quote's validity ended with {state.Draft!.ValidUntil} in {state.Draft.TimeZone}.");

    private static Decision<QuoteEvent> StaleFingerprint(ApprovalFingerprint given, QuoteState state) =>
        Decision<QuoteEvent>.Refuse(RefusalKind.RuleViolation, "approval.fingerprint-stale",
            $"The approval is for {given}, but the quote is now {state.CurrentFingerprint?.ToString() ?? "unpriced"}; it no longer counts.");
}
