using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Quotes;

public static class WithdrawQuoteEndpoint
{
    [WolverinePost("/quotes/{quoteId}/withdraw"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string quoteId, ReasonRequest request, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new WithdrawQuote(new QuoteId(quoteId), request.Reason, context.User.ClientName()));
}
