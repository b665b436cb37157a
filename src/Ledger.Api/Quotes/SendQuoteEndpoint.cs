using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Quotes;

public sealed record SendQuoteRequest(string DocumentHash);

public static class SendQuoteEndpoint
{
    [WolverinePost("/quotes/{quoteId}/send"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string quoteId, SendQuoteRequest request, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new SendQuote(new QuoteId(quoteId), request.DocumentHash, context.User.ClientName()));
}
