using Ledger.Application.Commands;
using Ledger.Application.Quotes;
using Ledger.Application.Reference;
using Ledger.Domain.Contracts;
using Ledger.Domain.Quotes;
using Ledger.EventStore;
using Ledger.EventStore.Writing;
using NodaTime;
using Ledger.Domain.Common;

namespace Ledger.Application.Contracts;

/// <summary>Durable message: draft the renewal quote of the term ending <paramref name="EndDate"/>.</summary>
public sealed record DraftRenewalQuote(ContractId ContractId, LocalDate EndDate);

/// <summary>
/// Drafts a contract's renewal quote (ADR/0021): for the contract's CRM, opportunity, account, owner, segment and region as
/// its quote had them and the account's customer as it is now; valid until the term's last day; one line per contract line, same offering, catalog version,
/// quantity and agreed discount, the line's price in the term being renewed raised once by the newest policy's renewal uplift
/// (not the catalog's: a renewal of a renewal keeps the uplifts before it). Then notes it on the
/// contract. Each step is its own command under a key derived from the contract and the term, so a redelivered message
/// repeats nothing (a draft or a line that exists is refused and passed over). The quote is then the CRM's to amend,
/// price, submit and send.
/// </summary>
public static class RenewalQuoteHandler
{
    public static async Task Handle(DraftRenewalQuote message, CommandRunner commands, IEventStore store, EventSerializer serializer,
        ReferenceData reference, IClock clock, CancellationToken ct)
    {
        var contract = await store.FoldAsync(serializer, Streams.Contract(message.ContractId), ct);
        if (contract.Status != ContractStatus.Active || contract.EndDate != message.EndDate || contract.RenewalQuote?.EndDate == message.EndDate) return;
        var started = contract.Started!;
        var original = (await store.FoldAsync(serializer, Streams.Quote(started.QuoteId), ct)).Draft;
        if (original is null) return;
        var quoteId = contract.RenewalQuoteId;
        var term = $"{message.ContractId}-{message.EndDate:yyyy-MM-dd}";
        var uplift = 0m;

        await commands.RunAsync(CommandMetadata.ByLedger($"renewal-quote-{term}"), async unit =>
        {
            uplift = (await reference.Policies(unit, ct)).Newest?.RenewalUpliftPercent ?? 0m;
            var today = ContractState.Today(clock.GetCurrentInstant(), started.TimeZone);
            // Through the identity gate as any draft (ADR/0023), for the account's customer as it is now (merges followed).
            var customer = await QuoteDrafting.LinkedCustomerAsync(unit, original.SourceCrm, original.CrmAccountId, ct);
            return await QuoteDrafting.DraftAsync(unit, new DraftQuote(quoteId, original.SourceCrm, original.CrmOpportunityId, original.CrmAccountId,
                customer?.CustomerId ?? started.CustomerId, original.Owner, started.Currency, original.Segment, original.Region, started.LegalEntity, started.TimeZone,
                original.PriceBookVersion, today < message.EndDate ? today : message.EndDate, message.EndDate, AccountCustomer: null), supersedesQuoteId: null, ct);
        }, Durability.Derived, ct);
        foreach (var line in contract.Lines)
            await commands.RunAsync(CommandMetadata.ByLedger($"renewal-quote-{term}-{line.LineId}"), async unit =>
            {
                var catalog = await reference.Catalog(unit, ct);
                return await unit.Decide(Streams.Quote(quoteId), _ => new AddQuoteLine(quoteId, line.LineId, line.ProductOfferingId, line.CatalogVersion,
                    line.Quantity, line.DiscountPercent, catalog.Find(line.CatalogVersion, line.ProductOfferingId), uplift, RenewalBasePrice: line.ListPrice), ct);
            }, Durability.Derived, ct);
        await commands.RunAsync(CommandMetadata.ByLedger($"renewal-quoted-{term}"), unit =>
            unit.Decide(Streams.Contract(message.ContractId), _ => new RecordRenewalQuote(message.ContractId, message.EndDate, quoteId, uplift), ct), Durability.Derived, ct);
    }
}
