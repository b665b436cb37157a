using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Quotes;

public static class RemoveQuoteLineEndpoint
{
    [WolverinePost("/quotes/{quoteId}/lines/{lineId}/remove"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string quoteId, string lineId, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new RemoveQuoteLine(new QuoteId(quoteId), lineId));
}
