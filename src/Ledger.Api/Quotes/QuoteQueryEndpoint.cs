using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Quotes;
using Ledger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Quotes;

public sealed record QuoteView(
    string QuoteId, string Status, int Revision, string SourceCrm, string CrmOpportunityId, string CustomerId, string Currency,
    decimal? NetTotal, IReadOnlyList<QuoteLine> Lines, string? Fingerprint, string? OrderId);

public static class QuoteQueryEndpoint
{
    /// <summary>The quote as the event store has it right now (folded, not a projection): for the CRM that owns it.</summary>
    [WolverineGet("/quotes/{quoteId}"), Authorize(Roles = LedgerRoles.Crm)]
    public static async Task<IResult> Get(string quoteId, IEventStore store, EventSerializer serializer, HttpContext context, CancellationToken ct)
    {
        var quote = await store.FoldAsync(serializer, Streams.Quote(new QuoteId(quoteId)), ct);
        if (quote.Draft is not { } draft)
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "quote.not-found", $"Quote {quoteId} has not been drafted.", "quoteId"));
        if (context.Forbids(draft.SourceCrm) is { } forbidden) return forbidden;
        return Results.Ok(new QuoteView(quoteId, quote.Status.ToString(), quote.Revision, draft.SourceCrm, draft.CrmOpportunityId, draft.CustomerId,
            draft.Currency, quote.Pricing?.NetTotal, quote.Lines, quote.CurrentFingerprint?.ToString(), quote.OrderId));
    }
}
