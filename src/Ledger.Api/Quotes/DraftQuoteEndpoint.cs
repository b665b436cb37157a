using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Application.Quotes;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Quotes;

/// <summary>
/// A CRM opportunity becomes a quote. The source CRM is the caller's, never a field it could forge. The account must be
/// linked to <paramref name="CustomerId"/>, and the opportunity may have one live quote, unless this one names it in
/// <paramref name="SupersedesQuoteId"/> (ADR/0023).
/// </summary>
public sealed record DraftQuoteRequest(
    string? QuoteId, string CrmOpportunityId, string CrmAccountId, string CustomerId, string Owner, string Currency,
    string Segment, string Region, string LegalEntity, string TimeZone, string PriceBookVersion, LocalDate ValidFrom, LocalDate ValidUntil,
    string? SupersedesQuoteId = null);

public static class DraftQuoteEndpoint
{
    [WolverinePost("/quotes"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(DraftQuoteRequest request, CommandRunner commands, HttpContext context)
    {
        var metadata = context.CommandMetadata();
        // Without an id of the caller's, the id comes from the idempotency key, so a retry drafts the same quote.
        var quoteId = request.QuoteId is { Length: > 0 } id ? id : "Q-" + DeterministicGuid.Create($"quote\n{metadata.Actor}\n{metadata.IdempotencyKey}").ToString("N")[..16];
        var command = new DraftQuote(new QuoteId(quoteId), context.User.Crm()!, request.CrmOpportunityId, request.CrmAccountId, new CustomerId(request.CustomerId),
            request.Owner, request.Currency, request.Segment, request.Region, request.LegalEntity, request.TimeZone, request.PriceBookVersion,
            request.ValidFrom, request.ValidUntil, AccountCustomer: null);
        // Its expiry is scheduled by a reaction to the draft (ADR/0017).
        return commands.Answer(context, (unit, ct) => QuoteDrafting.DraftAsync(unit, command, request.SupersedesQuoteId is { Length: > 0 } s ? new QuoteId(s) : null, ct), createdLocation: $"/quotes/{quoteId}");
    }
}
