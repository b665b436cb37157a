using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Quotes;


public static class ReviseQuoteEndpoint
{
    /// <summary>A new revision; the approval of the old one is invalidated by a reaction.</summary>
    [WolverinePost("/quotes/{quoteId}/revise"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string quoteId, ReasonRequest request, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new ReviseQuote(new QuoteId(quoteId), request.Reason, context.User.ClientName()));
}
