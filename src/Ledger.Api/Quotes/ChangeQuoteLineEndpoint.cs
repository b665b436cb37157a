using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Quotes;

public sealed record ChangeQuoteLineRequest(decimal Quantity, decimal DiscountPercent);

public static class ChangeQuoteLineEndpoint
{
    [WolverinePost("/quotes/{quoteId}/lines/{lineId}/change"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string quoteId, string lineId, ChangeQuoteLineRequest request, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new ChangeQuoteLine(new QuoteId(quoteId), lineId, request.Quantity, request.DiscountPercent));
}
