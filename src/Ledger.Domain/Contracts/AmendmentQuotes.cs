using Ledger.Domain.Common;
using Ledger.Domain.Quotes;
using NodaTime;

namespace Ledger.Domain.Contracts;

/// <summary>
/// The contract an amendment quote amends, as the caller loaded it now, beside what the quote was drafted against
/// (ADR/0021): the version it amends, the effective date, and the latest term. Only a contract still at
/// <see cref="BasedOnVersion"/> and active can be priced, submitted or ordered against; otherwise the quote is stale.
/// </summary>
/// <param name="ContractVersion">The contract's version now.</param>
/// <param name="ContractLines">The contract's lines now (at <see cref="BasedOnVersion"/> when not stale).</param>
public sealed record AmendmentBasis(
    ContractId ContractId, int BasedOnVersion, int ContractVersion, bool ContractActive, LocalDate EffectiveDate, LocalDate TermStartDate,
    LocalDate TermEndDate, IReadOnlyList<ContractLine> ContractLines);

/// <summary>
/// An amendment as a quote (ADR/0021): its lines are the contract's lines as they will be; the delta between the two is
/// priced co-termed with the ledger's one proration rule (<see cref="Proration"/>) and judged by the approval policy as a
/// direct amendment's delta is (<see cref="JudgedDelta"/>).
/// </summary>
public static class AmendmentQuotes
{
    /// <summary>An amendment quote's id: the contract's quote id and its ordinal (<c>Q-1001-AM1</c>).</summary>
    public static QuoteId QuoteIdFor(QuoteId contractQuoteId, int ordinal) => new($"{contractQuoteId}-AM{ordinal}");

    /// <summary>
    /// The contract a quote would amend if it is an amendment quote (<c>Q-1001-AM2</c> → <c>ctr-Q-1001</c>); null otherwise.
    /// A candidate only: the contract's own note of the quote (<c>contract-amendment-quoted.v1</c>) says whether it is one.
    /// </summary>
    public static ContractId? AmendedContractIdOf(QuoteId quoteId) => ContractState.ContractIdOfDrafted(quoteId, "-AM", 1);

    /// <summary>One line's change from its quantity to <paramref name="quantity"/>, over a whole term and prorated from the effective date.</summary>
    public static ContractLineChange Change(string currency, ContractLine line, decimal quantity, LocalDate termStart, LocalDate termEnd, LocalDate effective)
    {
        var termDelta = Proration.TermNet(currency, line.ListPrice, quantity - line.Quantity, line.DiscountPercent);
        var prorated = Proration.Prorate(termDelta, currency, termStart, termEnd, effective);
        return new ContractLineChange(line.LineId, line.ProductOfferingId, line.CatalogVersion, line.Quantity, quantity, line.ListPrice,
            line.DiscountPercent, termDelta, prorated.Amount);
    }

    /// <summary>
    /// What the approval policy judges of a delta, as of a quote: the deepest discount of the lines that grow or are added
    /// (seats removed discount nothing), and the whole-term net delta (so a credit never reaches a deal-size threshold).
    /// </summary>
    public static (decimal DiscountPercent, decimal TermNet) JudgedDelta(IEnumerable<ContractLineChange> changes)
    {
        var list = changes.ToList();
        return (list.Where(ch => ch.Quantity > ch.PreviousQuantity).Select(ch => ch.DiscountPercent).DefaultIfEmpty(0m).Max(), list.Sum(ch => ch.TermNetDelta));
    }

    /// <summary>
    /// The changes a quote's lines make to the contract: a contract line the quote lacks is removed (quantity 0), a line of
    /// another quantity changes, a quote line the contract lacks is added at the quote's price and discount. A line the
    /// contract has keeps its agreed price and discount (changing the discount is a renegotiation, as for a direct amendment).
    /// </summary>
    public static (IReadOnlyList<ContractLineChange>? Changes, Refusal? Refused) ChangesOf(AmendmentBasis basis, string currency, IReadOnlyList<QuoteLine> lines)
    {
        if (Stale(basis) is { } stale) return (null, stale);
        var changes = new List<ContractLineChange>();
        foreach (var line in basis.ContractLines)
        {
            var quoted = lines.FirstOrDefault(l => l.LineId == line.LineId);
            if (quoted is not null && quoted.DiscountPercent != line.DiscountPercent)
                return (null, new Refusal(RefusalKind.RuleViolation, "contract.discount-agreed",
                    $"Line {line.LineId} keeps its agreed {line.DiscountPercent}% for the term; only an added line takes a new discount.", "lineId"));
            var quantity = quoted?.Quantity ?? 0m;
            if (quantity != line.Quantity) changes.Add(Change(currency, line, quantity, basis.TermStartDate, basis.TermEndDate, basis.EffectiveDate));
        }
        foreach (var added in lines.Where(l => basis.ContractLines.All(c => c.LineId != l.LineId)))
            changes.Add(Change(currency, new ContractLine(added.LineId, added.ProductOfferingId, added.CatalogVersion, 0m, added.ListPrice, added.DiscountPercent, 0m),
                added.Quantity, basis.TermStartDate, basis.TermEndDate, basis.EffectiveDate));
        if (changes.Count == 0)
            return (null, new Refusal(RefusalKind.RuleViolation, "contract.amendment-unchanged",
                $"The quote's lines are contract {basis.ContractId}'s lines as they are: it amends nothing. Change, add or remove a line first.", "lines"));
        return (changes, null);
    }

    /// <summary>
    /// The quote's price: one line per change, its quantity the change in quantity (negative: fewer), its amounts prorated
    /// to the days left of the term. The net amount is the change's prorated amount (rounded once, as the rule says); the
    /// list amount is the whole-term list delta prorated the same way and the discount what lies between. The net total is
    /// the delta billing is handed; the maximum discount is the one the policy judges.
    /// </summary>
    public static PriceSnapshot Price(AmendmentBasis basis, string currencyCode, IReadOnlyList<ContractLineChange> changes, string policyVersion)
    {
        var currency = Currency.Of(currencyCode);
        var priced = changes.Select(ch =>
        {
            var quantity = ch.Quantity - ch.PreviousQuantity;
            var list = Proration.Prorate(currency.Round(ch.ListPrice * quantity), currencyCode, basis.TermStartDate, basis.TermEndDate, basis.EffectiveDate).Amount;
            return new PricedLine(ch.LineId, ch.ProductOfferingId, ch.CatalogVersion, quantity, ch.ListPrice, ch.DiscountPercent, list,
                list - ch.ProratedAmount, ch.ProratedAmount);
        }).ToList();
        var unhashed = new PriceSnapshot(currencyCode, priced, priced.Sum(l => l.ListAmount), priced.Sum(l => l.DiscountAmount), priced.Sum(l => l.NetAmount),
            JudgedDelta(changes).DiscountPercent, policyVersion, "");
        return unhashed with { Hash = PriceCalculation.Hash(unhashed) };
    }

    /// <summary>The contract moved on from the version the quote amends (an amendment, a renewal, an end): the quote is stale.</summary>
    public static Refusal? Stale(AmendmentBasis basis) =>
        basis.ContractActive && basis.ContractVersion == basis.BasedOnVersion
            ? null
            : new Refusal(RefusalKind.Conflict, "contract.stale-version",
                $"The amendment quote amends version {basis.BasedOnVersion} of contract {basis.ContractId}; the contract is {(basis.ContractActive ? "active" : "no longer active")} at version {basis.ContractVersion}. Draft a new amendment quote against it.",
                "quoteId");
}
