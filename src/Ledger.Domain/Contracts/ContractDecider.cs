using Ledger.Domain.Common;
using NodaTime;

namespace Ledger.Domain.Contracts;

/// <summary>
/// Contracts: started from a billed subscription order, amended co-termed with prorated deltas, renewed (by hand, or at the
/// end when evergreen), expired or cancelled with a prorated credit (ADR/0021). Changes name the version they were
/// written against; a stale one is refused, as approvals refuse a stale fingerprint.
/// </summary>
public static class ContractDecider
{
    public static string StreamId(ContractId contractId) => $"contract-{contractId}";

    /// <summary>One contract per quote, as one order per quote: the id is derived from the quote's.</summary>
    public static ContractId ContractIdFor(QuoteId quoteId) => new($"ctr-{quoteId}");

    public static ContractState Initial => ContractState.Initial;

    /// <summary>
    /// The billing handoff of the change that made <paramref name="version"/>: one per change, derived from it, so a
    /// repeated reaction finds the same billing stream (<c>billing-ctr-Q-1001-v2</c>) and hands nothing off twice.
    /// </summary>
    public static string BillingHandoffIdFor(ContractId contractId, int version) => $"{contractId}-v{version}";

    /// <summary>
    /// Whether a billing stream's id is a contract change's handoff rather than an order's: contract ids are <c>ctr-…</c>,
    /// order ids <c>ord-…</c>. For readers that see an acknowledgement or failure without its request (projections, the CRM feed).
    /// </summary>
    public static bool IsContractBillingHandoff(string handoffId) => IsContractId(handoffId);

    /// <summary>
    /// Whether an id names a contract (<c>ctr-…</c>): where an approval stream's "quote" is a contract's amendment
    /// (<c>approval-{contractId}-r{version}</c>) or a billing stream's "order" a contract change (ADR/0021).
    /// </summary>
    public static bool IsContractId(string id) => id.StartsWith("ctr-", StringComparison.Ordinal);

    /// <summary>What a contract change hands to billing: an amendment's prorated delta, a renewal's term, a cancellation's credit (negative).</summary>
    public static (Billing.ContractChangeKind Kind, decimal Amount)? BillableOf(ContractEvent @event) => @event switch
    {
        ContractAmended e => (Billing.ContractChangeKind.Amendment, e.ProratedTotal),
        ContractAmendedByQuote e => (Billing.ContractChangeKind.Amendment, e.ProratedTotal),
        ContractRenewed e => (Billing.ContractChangeKind.Renewal, e.TermNetTotal),
        ContractCancelled e => (Billing.ContractChangeKind.Cancellation, -e.CreditTotal),
        _ => null,
    };

    public static ContractState Evolve(ContractState state, ContractEvent @event) => Noted(@event switch
    {
        ContractStarted e => state with
        {
            Status = ContractStatus.Active, Started = e, Version = e.Version, StartDate = e.StartDate, EndDate = e.EndDate, Lines = [.. e.Lines], Terms = 1,
        },
        ContractAmended e => state with
        {
            Version = e.Version, Lines = Amended(state, e.Changes, e.Currency), Proposed = null,
            Applied = state.Proposed is { } proposed && proposed.Amendment.Version == e.Version ? state.Applied.Add(proposed.Fingerprint) : state.Applied,
        },
        // An amendment by quote moves the version: a direct amendment waiting for approval against the old one is stale.
        ContractAmendedByQuote e => state with
        {
            Version = e.Version, Lines = Amended(state, e.Changes, e.Currency), Proposed = null, AmendedByQuote = state.AmendedByQuote.Add(e),
        },
        ContractAmendmentQuoted e => state with { AmendmentQuotes = state.AmendmentQuotes.Add(e) },
        ContractAmendmentProposed e => state with { Proposed = e },
        ContractAmendmentRejected => state with { Proposed = null },
        ContractRenewalDue e => state with { RenewalDueFor = e.EndDate },
        // A renewal or an end leaves a proposed amendment stale: its approval, if it comes, is refused.
        ContractRenewed e => state with { Version = e.Version, StartDate = e.StartDate, EndDate = e.EndDate, Lines = [.. e.Lines], Terms = state.Terms + 1, Proposed = null },
        ContractRenewedByQuote e => state with
        {
            Version = e.Version, StartDate = e.StartDate, EndDate = e.EndDate, Lines = [.. e.Lines], Terms = state.Terms + 1, Proposed = null, RenewedByQuote = e,
        },
        ContractExpired e => state with { Status = ContractStatus.Expired, Version = e.Version, Proposed = null },
        ContractCancelled e => state with { Status = ContractStatus.Cancelled, Version = e.Version, Proposed = null },
        ContractChangeBilled e when state.Billable.TryGetValue(e.ChangeVersion, out var change) =>
            state with { Billable = state.Billable.SetItem(e.ChangeVersion, change with { Billed = true }) },
        ContractChangeBilled => state,
        ContractRenewalQuoted e => state with { RenewalQuote = e },
        _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown contract event."),
    }, @event);

    /// <summary>A change that bills something is remembered under its version, so that billing's acknowledgement can be matched to it.</summary>
    private static ContractState Noted(ContractState state, ContractEvent @event) =>
        BillableOf(@event) is { } billable
            ? state with { Billable = state.Billable.SetItem(state.Version, new BillableChange(billable.Kind, billable.Amount, Billed: false)) }
            : state;

    public static Decision<ContractEvent> Decide(ContractCommand command, ContractState state, Instant now) => command switch
    {
        StartContract c => Start(c, state, now),
        AmendContract c => Amend(c, state, now),
        RecordContractRenewalDue c => RenewalDue(c, state, now),
        RenewContract c => Renew(c, state, now),
        RenewContractFromQuote c => RenewFromQuote(c, state, now),
        EndContractTerm c => EndTerm(c, state, now),
        CancelContract c => Cancel(c, state, now),
        RecordContractChangeBilled c => ChangeBilled(c, state, now),
        ApplyApprovedAmendment c => ApplyApproved(c, state, now),
        RecordRenewalQuote c => RenewalQuoted(c, state, now),
        RejectContractAmendment c => RejectProposed(c, state, now),
        RecordAmendmentQuote c => AmendmentQuoted(c, state, now),
        AmendContractFromQuote c => AmendFromQuote(c, state, now),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown contract command."),
    };

    private static Decision<ContractEvent> Start(StartContract c, ContractState state, Instant now)
    {
        if (state.Status != ContractStatus.None)
            return state.Started!.OrderId == c.OrderId
                ? Decision<ContractEvent>.Nothing
                : Decision<ContractEvent>.Refuse(RefusalKind.Conflict, "contract.already-started", $"Contract {c.ContractId} was started from another order.", "contractId");
        if (Subscribed(c.Quote, c.Subscriptions) is not ({ } lines, var termMonths, var evergreen))
            return Decision<ContractEvent>.Refuse(RefusalKind.RuleViolation, "contract.no-subscription-lines",
                $"Quote {c.Quote.QuoteId} sells no subscription offering; a one-off sale has no contract.", "quoteId");
        return Decision<ContractEvent>.Of(new ContractStarted(c.ContractId, 1, c.OrderId, c.Quote.QuoteId, c.Quote.Revision, c.Quote.SourceCrm,
            c.Quote.CustomerId, c.Quote.LegalEntity, c.Quote.Currency, c.TimeZone, c.StartDate, c.StartDate.PlusMonths(termMonths).PlusDays(-1), termMonths,
            evergreen, lines, lines.Sum(l => l.TermNetAmount), c.BillingReference, now));
    }

    /// <summary>
    /// A quote's subscribed lines as contract lines (one-off lines are billed once with the order), the longest term among
    /// them (shorter ones are co-termed to it), and whether every one is evergreen; null when it sells no subscription.
    /// </summary>
    private static (List<ContractLine> Lines, int TermMonths, bool Evergreen)? Subscribed(Orders.AcceptedQuote quote, IReadOnlyList<OfferingSubscription> subscriptions)
    {
        var subscribed = quote.Lines
            .Select(line => (Line: line, Terms: subscriptions.FirstOrDefault(s => s.ProductOfferingId == line.ProductOfferingId && s.CatalogVersion == line.CatalogVersion)?.Terms))
            .Where(l => l.Terms is not null)
            .ToList();
        if (subscribed.Count == 0) return null;
        var lines = subscribed.Select(l => new ContractLine(l.Line.LineId, l.Line.ProductOfferingId, l.Line.CatalogVersion, l.Line.Quantity,
            l.Line.ListPrice, l.Line.DiscountPercent, l.Line.NetAmount)).ToList();
        return (lines, subscribed.Max(l => l.Terms!.TermMonths), subscribed.All(l => l.Terms!.Evergreen));
    }

    /// <summary>
    /// The renewal quote the contract drafted for its latest term was ordered and billed: the next term follows at that
    /// quote's subscribed lines as accepted (the CRM may have changed quantities, discounts or lines before sending it),
    /// its end counted from the first start as every renewal's is, its term the contract's own (ADR/0021). Its order was
    /// billed already, so the event notes the order's billing reference and hands nothing to billing.
    /// </summary>
    private static Decision<ContractEvent> RenewFromQuote(RenewContractFromQuote c, ContractState state, Instant now)
    {
        if (state.RenewedByQuote?.OrderId == c.OrderId) return Decision<ContractEvent>.Nothing; // the same order again
        if (state.Status != ContractStatus.Active)
            return Decision<ContractEvent>.Refuse(RefusalKind.Conflict, "contract.not-active",
                $"Contract {c.ContractId} is {state.Status.ToString().ToLowerInvariant()}; there is no term for quote {c.Quote.QuoteId} to renew.");
        if (state.RenewalQuote is not { } quoted || quoted.RenewalQuoteId != c.Quote.QuoteId)
            return Decision<ContractEvent>.Refuse(RefusalKind.RuleViolation, "contract.not-its-renewal-quote",
                $"Contract {c.ContractId} drafted no renewal quote {c.Quote.QuoteId}.", "quoteId");
        if (quoted.EndDate != state.EndDate)
            return Decision<ContractEvent>.Refuse(RefusalKind.Conflict, "contract.already-renewed",
                $"Quote {c.Quote.QuoteId} renews the term that ended {quoted.EndDate:yyyy-MM-dd}; contract {c.ContractId} is already renewed through {state.EndDate:yyyy-MM-dd}.",
                "quoteId");
        var started = state.Started!;
        if (c.Quote.Currency != started.Currency)
            return Decision<ContractEvent>.Refuse(RefusalKind.RuleViolation, "contract.currency-changed",
                $"Contract {c.ContractId} is in {started.Currency}; its renewal quote {c.Quote.QuoteId} is in {c.Quote.Currency}.", "currency");
        if (Subscribed(c.Quote, c.Subscriptions) is not ({ } lines, _, _))
            return Decision<ContractEvent>.Refuse(RefusalKind.RuleViolation, "contract.no-subscription-lines",
                $"Renewal quote {c.Quote.QuoteId} sells no subscription offering: it renews nothing.", "quoteId");
        return Decision<ContractEvent>.Of(new ContractRenewedByQuote(c.ContractId, state.Version + 1, state.EndDate, state.EndDate.PlusDays(1),
            NextTermEnd(state), c.Quote.QuoteId, c.Quote.Revision, c.OrderId, quoted.UpliftPercent, lines, lines.Sum(l => l.TermNetAmount),
            c.BillingReference, now));
    }

    private static Decision<ContractEvent> Amend(AmendContract c, ContractState state, Instant now)
    {
        if (Changeable(state, c.ExpectedVersion) is { } refused) return refused;
        if (state.Proposed is { } pending)
            return Decision<ContractEvent>.Refuse(RefusalKind.Conflict, "contract.amendment-pending",
                $"An amendment of contract {c.ContractId} waits for approval ({pending.Fingerprint}); it is approved or rejected first.");
        if (c.Lines.Count == 0)
            return Decision<ContractEvent>.Invalid("lines", "contract.amendment-empty", "An amendment changes at least one line.");
        if (c.Policy is not { } policy)
            return Decision<ContractEvent>.Refuse(RefusalKind.RuleViolation, "pricing.policy-missing",
                "No pricing policy is published: nothing can say whether the amendment needs approval.");
        if (Effective(state, c.EffectiveDate, now) is { } notEffective) return notEffective;

        var started = state.Started!;
        var changes = new List<ContractLineChange>();
        for (var i = 0; i < c.Lines.Count; i++)
        {
            var a = c.Lines[i];
            var field = $"lines[{i}]";
            if (string.IsNullOrWhiteSpace(a.LineId))
                return Decision<ContractEvent>.Invalid($"{field}.lineId", "contract.field-required", "Every amended line names its lineId.");
            if (a.Quantity < 0)
                return Decision<ContractEvent>.Invalid($"{field}.quantity", "contract.quantity-negative", "A line's quantity is 0 (removed) or more.");
            if (c.Lines.Take(i).Any(other => other.LineId == a.LineId))
                return Decision<ContractEvent>.Invalid($"{field}.lineId", "contract.line-duplicated", $"Line {a.LineId} is amended twice.");
            if (a.DiscountPercent is < 0 or > 100)
                return Decision<ContractEvent>.Invalid($"{field}.discountPercent", "contract.discount-out-of-range", "A discount is between 0 and 100 percent.");
            var line = state.Lines.FirstOrDefault(l => l.LineId == a.LineId);
            if (line is not null && a.DiscountPercent is { } d && d != line.DiscountPercent)
                return Decision<ContractEvent>.Refuse(RefusalKind.RuleViolation, "contract.discount-agreed",
                    $"Line {a.LineId} keeps its agreed {line.DiscountPercent}% for the term; only an added line takes a new discount.", $"{field}.discountPercent");
            if (line is null)
            {
                if (NewLine(a, started.Currency, field) is var (added, invalid) && invalid is not null) return invalid;
                line = added!;
            }
            if (a.Quantity == line.Quantity)
                return Decision<ContractEvent>.Invalid($"{field}.quantity", "contract.line-unchanged", $"Line {a.LineId} already has quantity {a.Quantity}.");
            changes.Add(AmendmentQuotes.Change(started.Currency, line, a.Quantity, state.StartDate, state.EndDate, c.EffectiveDate));
        }
        if (state.Lines.All(l => changes.Any(ch => ch.LineId == l.LineId && ch.Quantity == 0)) && changes.All(ch => ch.Quantity == 0))
            return Decision<ContractEvent>.Refuse(RefusalKind.RuleViolation, "contract.amendment-removes-everything",
                "An amendment that removes every line is a cancellation: cancel the contract instead.", "lines");

        var days = Proration.Prorate(0, started.Currency, state.StartDate, state.EndDate, c.EffectiveDate);
        var amended = new ContractAmended(c.ContractId, state.Version + 1, c.EffectiveDate, state.EndDate, days.DaysRemaining,
            days.DaysInTerm, changes, started.Currency, changes.Sum(ch => ch.ProratedAmount), c.AmendedBy, now);

        // The policy judges the delta as it judges a quote: the deepest discount on what is added, and the whole-term net
        // of the change (ADR/0021). Seats removed discount nothing; a credit is never a deal large enough for the CFO.
        var (deltaDiscount, deltaNet) = AmendmentQuotes.JudgedDelta(changes);
        var levels = Approvals.ApprovalRules.RequiredLevels(policy.Policy, deltaDiscount, deltaNet, started.Currency, policy.Segment, policy.Region);
        if (levels.Count == 0) return Decision<ContractEvent>.Of(amended);
        var fingerprint = new Approvals.ApprovalFingerprint(amended.Version, AmendmentHash(amended), policy.Policy.Version);
        return Decision<ContractEvent>.Of(new ContractAmendmentProposed(c.ContractId, state.Version, fingerprint, levels, policy.Segment, policy.Region,
            deltaDiscount, deltaNet, amended, now));
    }

    /// <summary>What approvers approve, hashed: the effective date and every line's change (invariant, scale-free).</summary>
    public static string AmendmentHash(ContractAmended a)
    {
        var text = new System.Text.StringBuilder(System.FormattableString.Invariant($"{a.ContractId}|v{a.Version}|{a.EffectiveDate:yyyy-MM-dd}|{a.Currency}"));
        foreach (var ch in a.Changes)
            text.Append(System.FormattableString.Invariant(
                $"|{ch.LineId}:{ch.ProductOfferingId}:{ch.CatalogVersion}:{ch.PreviousQuantity:0.############}>{ch.Quantity:0.############}@{ch.ListPrice:0.############}-{ch.DiscountPercent:0.############}%"));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// The approval of the proposed amendment completed: it is recorded as proposed, if the contract is still at the version
    /// it was written against (a renewal or cancellation meanwhile makes it stale, as a revised quote's approval is).
    /// </summary>
    private static Decision<ContractEvent> ApplyApproved(ApplyApprovedAmendment c, ContractState state, Instant now)
    {
        if (state.Proposed is not { } proposed || proposed.Fingerprint != c.Fingerprint)
            return state.Applied.Contains(c.Fingerprint)
                ? Decision<ContractEvent>.Nothing // applied already
                : Decision<ContractEvent>.Refuse(RefusalKind.Conflict, "contract.approval-stale",
                    $"The approval of {c.Fingerprint} is not for the amendment contract {c.ContractId} waits on.", "fingerprint");
        if (state.Status != ContractStatus.Active || state.Version != proposed.BasedOnVersion)
            return Decision<ContractEvent>.Refuse(RefusalKind.Conflict, "contract.stale-version",
                $"The amendment was written against version {proposed.BasedOnVersion} of contract {c.ContractId}; it is {state.Status.ToString().ToLowerInvariant()} at version {state.Version}.",
                "expectedVersion");
        return Decision<ContractEvent>.Of(proposed.Amendment with { AmendedAt = now });
    }

    private static Decision<ContractEvent> RejectProposed(RejectContractAmendment c, ContractState state, Instant now) =>
        state.Proposed is { } proposed && proposed.Fingerprint == c.Fingerprint
            ? Decision<ContractEvent>.Of(new ContractAmendmentRejected(c.ContractId, c.Fingerprint, c.Approver, c.Reason, now))
            : Decision<ContractEvent>.Nothing; // rejected already, or another amendment's: nothing waits on this one

    // Amendments add at the catalog's list price, at the discount given (0 when none); the policy judges it (ADR/0021).
    private static (ContractLine? Line, Refusal? Refused) NewLine(ContractLineAmendment a, string currency, string field)
    {
        if (a.Quantity == 0)
            return (null, new Refusal(RefusalKind.NotFound, "contract.line-not-found", $"The contract has no line {a.LineId} to remove.", $"{field}.lineId"));
        if (string.IsNullOrWhiteSpace(a.ProductOfferingId) || string.IsNullOrWhiteSpace(a.CatalogVersion))
            return (null, new Refusal(RefusalKind.Validation, "contract.offering-required",
                $"Line {a.LineId} is new: it needs productOfferingId and catalogVersion.", $"{field}.productOfferingId"));
        if (a.Offering is not { } offering)
            return (null, new Refusal(RefusalKind.Validation, "catalog.offering-unknown",
                $"Catalog version {a.CatalogVersion} has no offering {a.ProductOfferingId}.", $"{field}.productOfferingId"));
        if (offering.Subscription is null)
            return (null, new Refusal(RefusalKind.RuleViolation, "contract.offering-not-subscription",
                $"{a.ProductOfferingId} is a one-off sale, not a subscription; it cannot be added to a contract.", $"{field}.productOfferingId"));
        if (offering.ListPrices.FirstOrDefault(p => p.Currency == currency) is not { } price)
            return (null, new Refusal(RefusalKind.RuleViolation, "catalog.no-price-in-currency",
                $"{a.ProductOfferingId} has no list price in {currency} in catalog version {a.CatalogVersion}.", $"{field}.productOfferingId"));
        return (new ContractLine(a.LineId, a.ProductOfferingId, a.CatalogVersion, 0m, price.Amount, a.DiscountPercent ?? 0m, 0m), null);
    }

    /// <summary>
    /// An amendment quote drafted against the contract as it is now (ADR/0021): noted once per quote, refused as a direct
    /// amendment is on a stale version, an ended contract or a date outside the latest term.
    /// </summary>
    private static Decision<ContractEvent> AmendmentQuoted(RecordAmendmentQuote c, ContractState state, Instant now)
    {
        if (state.AmendmentQuotes.Any(q => q.QuoteId == c.QuoteId)) return Decision<ContractEvent>.Nothing;
        if (state.Status == ContractStatus.None)
            return Decision<ContractEvent>.Refuse(RefusalKind.NotFound, "contract.not-found", $"There is no contract {c.ContractId}.", "contractId");
        if (Changeable(state, c.ExpectedVersion) is { } refused) return refused;
        if (Effective(state, c.EffectiveDate, now) is { } notEffective) return notEffective;
        if (string.IsNullOrWhiteSpace(c.QuoteId))
            return Decision<ContractEvent>.Invalid("quoteId", "contract.field-required", "quoteId is required.");
        return Decision<ContractEvent>.Of(new ContractAmendmentQuoted(c.ContractId, c.QuoteId, state.Version, c.EffectiveDate, state.EndDate, c.QuotedBy, now));
    }

    /// <summary>
    /// The contract's amendment quote was ordered: its accepted delta lines (a change in quantity per line) amend the
    /// contract, if it is still at the version the quote amends — the version is the quote's fingerprint, as an approval's
    /// is. The changes are computed again from the contract's own lines with the one rule; they must come to the amount the
    /// customer accepted, or nothing is recorded.
    /// </summary>
    private static Decision<ContractEvent> AmendFromQuote(AmendContractFromQuote c, ContractState state, Instant now)
    {
        if (state.AmendedByQuote.Any(a => a.OrderId == c.OrderId)) return Decision<ContractEvent>.Nothing; // the same order again
        if (state.AmendmentQuotes.FirstOrDefault(q => q.QuoteId == c.Quote.QuoteId) is not { } quoted)
            return Decision<ContractEvent>.Refuse(RefusalKind.RuleViolation, "contract.not-its-amendment-quote",
                $"Contract {c.ContractId} drafted no amendment quote {c.Quote.QuoteId}.", "quoteId");
        if (state.Status != ContractStatus.Active || state.Version != quoted.BasedOnVersion || c.BasedOnVersion != quoted.BasedOnVersion)
            return Decision<ContractEvent>.Refuse(RefusalKind.Conflict, "contract.stale-version",
                $"Amendment quote {c.Quote.QuoteId} amends version {quoted.BasedOnVersion} of contract {c.ContractId}; it is {state.Status.ToString().ToLowerInvariant()} at version {state.Version}. Its order amends nothing.",
                "quoteId");
        var started = state.Started!;
        if (c.Quote.Currency != started.Currency)
            return Decision<ContractEvent>.Refuse(RefusalKind.RuleViolation, "contract.currency-changed",
                $"Contract {c.ContractId} is in {started.Currency}; its amendment quote {c.Quote.QuoteId} is in {c.Quote.Currency}.", "currency");
        var changes = new List<ContractLineChange>();
        foreach (var delta in c.Quote.Lines)
        {
            var line = state.Lines.FirstOrDefault(l => l.LineId == delta.LineId)
                ?? new ContractLine(delta.LineId, delta.ProductOfferingId, delta.CatalogVersion, 0m, delta.ListPrice, delta.DiscountPercent, 0m);
            changes.Add(AmendmentQuotes.Change(started.Currency, line, line.Quantity + delta.Quantity, state.StartDate, state.EndDate, quoted.EffectiveDate));
        }
        var total = changes.Sum(ch => ch.ProratedAmount);
        if (changes.Any(ch => ch.Quantity < 0) || total != c.Quote.NetTotal)
            return Decision<ContractEvent>.Refuse(RefusalKind.RuleViolation, "contract.amendment-quote-mismatch",
                $"Amendment quote {c.Quote.QuoteId} was accepted at {c.Quote.NetTotal} {c.Quote.Currency}; its lines come to {total} on contract {c.ContractId} as it is.",
                "quoteId");
        var days = Proration.Prorate(0, started.Currency, state.StartDate, state.EndDate, quoted.EffectiveDate);
        return Decision<ContractEvent>.Of(new ContractAmendedByQuote(c.ContractId, state.Version + 1, quoted.EffectiveDate, state.EndDate, days.DaysRemaining,
            days.DaysInTerm, changes, started.Currency, total, c.Quote.QuoteId, c.Quote.Revision, c.OrderId, now));
    }

    private static Decision<ContractEvent> RenewalDue(RecordContractRenewalDue c, ContractState state, Instant now)
    {
        // Renewed, ended or already noted for this term meanwhile: the check has nothing to say.
        if (state.Status != ContractStatus.Active || state.EndDate != c.EndDate || state.RenewalDueFor == c.EndDate) return Decision<ContractEvent>.Nothing;
        if (now < ContractState.RenewalDueAt(c.EndDate, c.NoticeDays, state.Started!.TimeZone))
            return Decision<ContractEvent>.Refuse(RefusalKind.RuleViolation, "contract.renewal-not-due",
                $"The renewal of contract {c.ContractId} is due {c.NoticeDays} days before {c.EndDate:yyyy-MM-dd} ends, not yet.");
        return Decision<ContractEvent>.Of(new ContractRenewalDue(c.ContractId, state.Version, c.EndDate, c.NoticeDays, state.Started.Evergreen, now));
    }

    private static Decision<ContractEvent> Renew(RenewContract c, ContractState state, Instant now)
    {
        if (Changeable(state, c.ExpectedVersion) is { } refused) return refused;
        if (c.UpliftPercent is < 0 or > 100)
            return Decision<ContractEvent>.Invalid("upliftPercent", "contract.uplift-out-of-range", "A renewal uplift is between 0 and 100 percent.");
        if (ContractState.Today(now, state.Started!.TimeZone) < state.StartDate)
            return Decision<ContractEvent>.Refuse(RefusalKind.Conflict, "contract.already-renewed",
                $"Contract {c.ContractId} is already renewed through {state.EndDate:yyyy-MM-dd}; its next term has not begun.");
        return Decision<ContractEvent>.Of(Renewed(state, c.UpliftPercent, automatic: false, c.RenewedBy, now));
    }

    private static Decision<ContractEvent> EndTerm(EndContractTerm c, ContractState state, Instant now)
    {
        if (state.Status != ContractStatus.Active || state.EndDate != c.EndDate) return Decision<ContractEvent>.Nothing; // renewed or ended meanwhile
        if (now < state.TermEndsAt)
            return Decision<ContractEvent>.Refuse(RefusalKind.RuleViolation, "contract.term-not-over", $"The term of contract {c.ContractId} runs through {c.EndDate:yyyy-MM-dd}.");
        return state.Started!.Evergreen
            ? Decision<ContractEvent>.Of(Renewed(state, 0m, automatic: true, "ledger", now))
            : Decision<ContractEvent>.Of(new ContractExpired(c.ContractId, state.Version + 1, c.EndDate, now));
    }

    private static Decision<ContractEvent> Cancel(CancelContract c, ContractState state, Instant now)
    {
        if (Changeable(state, c.ExpectedVersion) is { } refused) return refused;
        if (string.IsNullOrWhiteSpace(c.Reason))
            return Decision<ContractEvent>.Invalid("reason", "contract.reason-required", "A cancellation needs a reason.");
        if (Effective(state, c.EffectiveDate, now) is { } notEffective) return notEffective;
        var currency = state.Started!.Currency;
        var credits = state.Lines.Select(l => new ContractLineCredit(l.LineId, l.TermNetAmount,
            Proration.Prorate(l.TermNetAmount, currency, state.StartDate, state.EndDate, c.EffectiveDate).Amount)).ToList();
        var days = Proration.Prorate(0, currency, state.StartDate, state.EndDate, c.EffectiveDate);
        return Decision<ContractEvent>.Of(new ContractCancelled(c.ContractId, state.Version + 1, c.EffectiveDate, state.EndDate, days.DaysRemaining,
            days.DaysInTerm, credits, currency, credits.Sum(cr => cr.CreditAmount), c.Reason, c.CancelledBy, now));
    }

    /// <summary>
    /// Billing acknowledged a change's handoff: noted once per change, whatever the contract's status since (a
    /// cancellation's credit is billed after the contract ended). A version that billed nothing was never handed off.
    /// </summary>
    private static Decision<ContractEvent> ChangeBilled(RecordContractChangeBilled c, ContractState state, Instant now)
    {
        if (!state.Billable.TryGetValue(c.ChangeVersion, out var change))
            return Decision<ContractEvent>.Refuse(RefusalKind.NotFound, "contract.change-not-billable",
                $"Version {c.ChangeVersion} of contract {c.ContractId} was not made by an amendment, renewal or cancellation; nothing of it was handed to billing.",
                "changeVersion");
        if (change.Billed) return Decision<ContractEvent>.Nothing;
        if (string.IsNullOrWhiteSpace(c.BillingReference))
            return Decision<ContractEvent>.Invalid("billingReference", "contract.field-required", "billingReference is required.");
        return Decision<ContractEvent>.Of(new ContractChangeBilled(c.ContractId, c.ChangeVersion, change.Kind, c.HandoffId, c.BillingReference,
            change.Amount, c.BilledAmount, c.Currency, now));
    }

    /// <summary>Once per term; a term renewed or ended meanwhile has nothing to note (its quote stays a draft of the CRM's).</summary>
    private static Decision<ContractEvent> RenewalQuoted(RecordRenewalQuote c, ContractState state, Instant now)
    {
        if (state.Status != ContractStatus.Active || state.EndDate != c.EndDate || state.RenewalQuote?.EndDate == c.EndDate)
            return Decision<ContractEvent>.Nothing;
        if (string.IsNullOrWhiteSpace(c.RenewalQuoteId))
            return Decision<ContractEvent>.Invalid("renewalQuoteId", "contract.field-required", "renewalQuoteId is required.");
        return Decision<ContractEvent>.Of(new ContractRenewalQuoted(c.ContractId, c.EndDate, c.RenewalQuoteId, c.UpliftPercent, now));
    }

    /// <summary>Only an active contract changes, and only against the version it is now.</summary>
    private static Refusal? Changeable(ContractState state, int expectedVersion)
    {
        if (state.Status != ContractStatus.Active)
            return new Refusal(RefusalKind.Conflict, "contract.not-active", $"Contract {state.Started!.ContractId} is {state.Status.ToString().ToLowerInvariant()}.");
        if (expectedVersion != state.Version)
            return new Refusal(RefusalKind.Conflict, "contract.stale-version",
                $"The change was written against version {expectedVersion} of contract {state.Started!.ContractId}; it is at version {state.Version}. Load it again.",
                "expectedVersion");
        return null;
    }

    /// <summary>A change takes effect within the latest term, not before today in the contract's zone.</summary>
    private static Refusal? Effective(ContractState state, LocalDate effective, Instant now)
    {
        var today = ContractState.Today(now, state.Started!.TimeZone);
        if (effective < today || effective < state.StartDate)
            return new Refusal(RefusalKind.RuleViolation, "contract.effective-date-in-past",
                $"A change takes effect from {(today > state.StartDate ? today : state.StartDate):yyyy-MM-dd} (today, or the term's first day) on.", "effectiveDate");
        if (effective > state.EndDate)
            return new Refusal(RefusalKind.RuleViolation, "contract.effective-after-end",
                $"The term ends on {state.EndDate:yyyy-MM-dd}; a change effective after it changes nothing.", "effectiveDate");
        return null;
    }

    /// <summary>
    /// The next term: from the day after the last one, its end counted in whole terms from the first start so that a
    /// month-end start keeps its month end (a contract from January 31st is not moved to the 28th by one February).
    /// </summary>
    private static ContractRenewed Renewed(ContractState state, decimal upliftPercent, bool automatic, string renewedBy, Instant now)
    {
        var started = state.Started!;
        var lines = state.Lines.Select(l =>
        {
            var listPrice = UpliftedListPrice(started.Currency, l.ListPrice, upliftPercent);
            return l with { ListPrice = listPrice, TermNetAmount = Proration.TermNet(started.Currency, listPrice, l.Quantity, l.DiscountPercent) };
        }).ToList();
        return new ContractRenewed(started.ContractId, state.Version + 1, state.EndDate, state.EndDate.PlusDays(1), NextTermEnd(state), upliftPercent, lines,
            lines.Sum(l => l.TermNetAmount), automatic, renewedBy, now);
    }

    /// <summary>
    /// A renewal's list price: the price of the term being renewed (the contract line's, as amended) raised once by the
    /// uplift, rounded once to the currency's minor unit, half away from zero (ADR/0021). Renewals by hand and renewal quotes
    /// both price this way; a renewal by quote takes the quote's accepted price as it is (the uplift is in it already).
    /// </summary>
    public static decimal UpliftedListPrice(string currency, decimal termListPrice, decimal upliftPercent) =>
        upliftPercent == 0 ? termListPrice : Currency.Of(currency).Round(termListPrice * (1 + upliftPercent / 100m));

    /// <summary>The last day of the term after the latest one, counted in whole terms from the first start.</summary>
    private static LocalDate NextTermEnd(ContractState state) =>
        state.Started!.StartDate.PlusMonths(state.Started.TermMonths * (state.Terms + 1)).PlusDays(-1);

    private static System.Collections.Immutable.ImmutableList<ContractLine> Amended(ContractState state, IReadOnlyList<ContractLineChange> changes, string currency) =>
        changes.Aggregate(state.Lines, (lines, ch) =>
        {
            var existing = lines.FindIndex(l => l.LineId == ch.LineId);
            var line = new ContractLine(ch.LineId, ch.ProductOfferingId, ch.CatalogVersion, ch.Quantity, ch.ListPrice, ch.DiscountPercent,
                Proration.TermNet(currency, ch.ListPrice, ch.Quantity, ch.DiscountPercent));
            return ch.Quantity == 0 ? lines.RemoveAt(existing)
                : existing >= 0 ? lines.SetItem(existing, line)
                : lines.Add(line);
        });
}
