using Ledger.Application.Commands;
using Ledger.Domain.Common;
using Ledger.Domain.Customers;
using Ledger.Domain.Opportunities;
using Ledger.Domain.Quotes;

namespace Ledger.Application.Quotes;

/// <summary>
/// A draft passes the identity gate (ADR/0023) in one unit: the CRM account's canonical customer is looked up (through
/// merges), the opportunity's live quote is checked and, when the draft says it supersedes it, withdrawn. Every
/// decision is checked before the first append, so a refusal appends nothing.
/// </summary>
public static class QuoteDrafting
{
    /// <summary>Merges are followed this far; a longer chain is refused by the decider as a merged customer.</summary>
    private const int MaxMergeHops = 8;

    public static async Task<CommandResult> DraftAsync(CommandUnit unit, DraftQuote draft, QuoteId? supersedesQuoteId, CancellationToken ct)
    {
        var quote = await unit.Load(Streams.Quote(draft.QuoteId), ct);
        // A drafted quote: this request's own earlier attempt (answered from its events) or someone else's id (refused).
        if (quote.State.Status != QuoteStatus.None) return await unit.Decide(quote, draft, ct);
        // Fields first, before any of them names a stream: the gate is the decider's last rule, so any other refusal is the answer.
        if (CommandUnit.Check(quote, draft with { AccountCustomer = null }, unit.Now) is { Code: not "quote.account-not-linked" } invalid)
            return new CommandResult.Refused(invalid);

        var command = draft with { AccountCustomer = await LinkedCustomerAsync(unit, draft.SourceCrm, draft.CrmAccountId, ct) };
        if (CommandUnit.Check(quote, command, unit.Now) is { } refused) return new CommandResult.Refused(refused);

        var opportunity = await unit.Load(Streams.CrmOpportunity(draft.SourceCrm, draft.CrmOpportunityId), ct);
        var lastId = opportunity.State.LastQuoteId is { } id && id != draft.QuoteId ? id : (QuoteId?)null;
        var last = lastId is not { } lastQuote ? null : await unit.Load(Streams.Quote(lastQuote), ct);
        var open = new OpenOpportunityQuote(draft.SourceCrm, draft.CrmOpportunityId, draft.QuoteId, supersedesQuoteId, last?.State.Status);
        if (CommandUnit.Check(opportunity, open, unit.Now) is { } taken) return new CommandResult.Refused(taken);
        var withdraw = supersedesQuoteId is not null && lastId is { } superseded
            ? new WithdrawQuote(superseded, $"Superseded by quote {draft.QuoteId}.", unit.Metadata.Actor)
            : null;
        if (withdraw is not null && CommandUnit.Check(last!, withdraw, unit.Now) is { } notWithdrawable) return new CommandResult.Refused(notWithdrawable);

        // Appended in this order so that a retry after a crash between appends (EventStoreDB mode) replays each step.
        if (await unit.Decide(opportunity, open, ct) is CommandResult.Refused openRefused) return openRefused;
        if (withdraw is not null && await unit.Decide(last!, withdraw, ct) is CommandResult.Refused withdrawRefused) return withdrawRefused;
        return await unit.Decide(quote, command, ct);
    }

    /// <summary>The account's canonical customer as it is now, followed through merges; null when the account is linked to none.</summary>
    public static async Task<LinkedCustomer?> LinkedCustomerAsync(CommandUnit unit, string crm, string accountId, CancellationToken ct)
    {
        if ((await unit.Consult(Streams.CrmAccount(crm, accountId), ct)).CustomerId is not { } customerId) return null;
        for (var hop = 0; ; hop++)
        {
            var customer = await unit.Consult(Streams.Customer(customerId), ct);
            if (customer is { Status: CustomerStatus.Merged, MergedInto: { } survivor } && hop < MaxMergeHops)
            {
                customerId = survivor;
                continue;
            }
            return new LinkedCustomer(customerId, customer.Status, customer.MergedInto);
        }
    }
}
