using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Application.Reference;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Quotes;

public sealed record AddQuoteLineRequest(string LineId, string ProductOfferingId, string CatalogVersion, decimal Quantity, decimal DiscountPercent);

public sealed record ChangeQuoteLineRequest(decimal Quantity, decimal DiscountPercent);

public static class QuoteLineEndpoints
{
    /// <summary>The list price comes from the published catalog version, never from the caller.</summary>
    [WolverinePost("/quotes/{quoteId}/lines"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Add(string quoteId, AddQuoteLineRequest request, CommandRunner commands, ReferenceData reference, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            var offering = (await reference.Catalog(unit, ct)).Find(request.CatalogVersion ?? "", request.ProductOfferingId ?? "");
            return await unit.DecideOnQuote(context, quoteId, _ => new AddQuoteLine(quoteId, request.LineId, request.ProductOfferingId!,
                request.CatalogVersion!, request.Quantity, request.DiscountPercent, offering), ct);
        });

    [WolverinePost("/quotes/{quoteId}/lines/{lineId}/change"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Change(string quoteId, string lineId, ChangeQuoteLineRequest request, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new ChangeQuoteLine(quoteId, lineId, request.Quantity, request.DiscountPercent));

    [WolverinePost("/quotes/{quoteId}/lines/{lineId}/remove"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Remove(string quoteId, string lineId, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new RemoveQuoteLine(quoteId, lineId));
}
