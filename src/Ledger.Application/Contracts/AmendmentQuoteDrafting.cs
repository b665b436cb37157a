using Ledger.Application.Commands;
using Ledger.Application.Quotes;
using Ledger.Application.Reference;
using Ledger.Domain.Common;
using Ledger.Domain.Contracts;
using Ledger.Domain.Quotes;
using NodaTime;

namespace Ledger.Application.Contracts;

/// <summary>
/// An amendment quote (ADR/0021), drafted in one unit at the CRM's request: the contract notes it against the version the
/// CRM read (refused when stale, as any change is), and a quote <c>{quoteId}-AM{n}</c> is drafted for the contract's CRM,
/// opportunity, account, owner, segment and region as its quote had them (through the identity gate, for the account's
/// customer as it is now), one line per contract line at its agreed price, quantity and discount. From there the CRM
/// changes, adds or removes lines, prices, submits and sends it as any quote. Every step is checked before the first append.
/// The opportunity is the CRM's amendment opportunity when it names one, else the contract quote's.
/// </summary>
public static class AmendmentQuoteDrafting
{
    public static async Task<CommandResult> DraftAsync(CommandUnit unit, ReferenceData reference, ContractId contractId, int expectedVersion,
        LocalDate effectiveDate, LocalDate? validUntil, string? crmOpportunityId, CancellationToken ct)
    {
        var contract = await unit.Load(Streams.Contract(contractId), ct);
        if (contract.State.Started is not { } started)
            return new CommandResult.Refused(new Refusal(RefusalKind.NotFound, "contract.not-found", $"Contract {contractId} has not been started.", "contractId"));
        // A retry of the request is answered from its stored answer (or, after a crash between appends, finds its own events by
        // their derived ids: the note is appended last, so the next id is still this one).
        var quoteId = contract.State.NextAmendmentQuoteId;
        var note = new RecordAmendmentQuote(contractId, expectedVersion, quoteId, effectiveDate, unit.Metadata.Actor);
        if (CommandUnit.Check(contract, note, unit.Now) is { } refused) return new CommandResult.Refused(refused);

        var original = (await unit.Consult(Streams.Quote(started.QuoteId), ct)).Draft!;
        var today = ContractState.Today(unit.Now, started.TimeZone);
        var customer = await QuoteDrafting.LinkedCustomerAsync(unit, original.SourceCrm, original.CrmAccountId, ct);
        // The CRM's own amendment opportunity when it names one (a CPQ opens one per amendment); else the contract quote's, which
        // then holds one live quote at a time, as any opportunity does (ADR/0023).
        var draft = new DraftQuote(quoteId, original.SourceCrm, crmOpportunityId ?? original.CrmOpportunityId, original.CrmAccountId, customer?.CustomerId ?? started.CustomerId,
            original.Owner, started.Currency, original.Segment, original.Region, started.LegalEntity, started.TimeZone, original.PriceBookVersion,
            today, validUntil ?? contract.State.EndDate, AccountCustomer: null);
        if (await QuoteDrafting.DraftAsync(unit, draft, supersedesQuoteId: null, ct) is CommandResult.Refused draftRefused) return draftRefused;

        var catalog = await reference.Catalog(unit, ct);
        foreach (var line in contract.State.Lines)
            // The contract's agreed price (uplift 0 on the term's own price), not the catalog's: the amendment changes quantities, not prices.
            if (await unit.Decide(Streams.Quote(quoteId), _ => new AddQuoteLine(quoteId, line.LineId, line.ProductOfferingId, line.CatalogVersion, line.Quantity,
                    line.DiscountPercent, catalog.Find(line.CatalogVersion, line.ProductOfferingId), 0m, RenewalBasePrice: line.ListPrice), ct) is CommandResult.Refused lineRefused)
                return lineRefused;
        return await unit.Decide(contract, note, ct);
    }

    /// <summary>
    /// The contract a quote amends, as it is now, when the quote is one of its amendment quotes; null for any other quote.
    /// The quote id only names a candidate (<c>Q-1001-AM1</c> → <c>ctr-Q-1001</c>): the contract's note decides.
    /// </summary>
    public static async Task<AmendmentBasis?> BasisOfAsync(CommandUnit unit, QuoteId quoteId, CancellationToken ct)
    {
        if (AmendmentQuotes.AmendedContractIdOf(quoteId) is not { } contractId) return null;
        var contract = await unit.Consult(Streams.Contract(contractId), ct);
        if (contract.AmendmentQuotes.FirstOrDefault(q => q.QuoteId == quoteId) is not { } quoted) return null;
        return new AmendmentBasis(contractId, quoted.BasedOnVersion, contract.Version, contract.Status == ContractStatus.Active, quoted.EffectiveDate,
            contract.StartDate, contract.EndDate, contract.Lines);
    }
}
