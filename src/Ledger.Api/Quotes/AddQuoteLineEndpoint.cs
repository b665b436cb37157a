using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Application.Reference;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Quotes;

public sealed record AddQuoteLineRequest(string LineId, string ProductOfferingId, string CatalogVersion, decimal Quantity, decimal DiscountPercent);

public static class AddQuoteLineEndpoint
{
    /// <summary>The list price comes from the published catalog version, never from the caller.</summary>
    [WolverinePost("/quotes/{quoteId}/lines"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string quoteId, AddQuoteLineRequest request, CommandRunner commands, ReferenceData reference, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            var offering = (await reference.Catalog(unit, ct)).Find(request.CatalogVersion ?? "", request.ProductOfferingId ?? "");
            return await unit.DecideOnQuote(context, quoteId, _ => new AddQuoteLine(new QuoteId(quoteId), request.LineId, request.ProductOfferingId!,
                request.CatalogVersion!, request.Quantity, request.DiscountPercent, offering), ct);
        });
}
