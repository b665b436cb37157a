using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Quotes;

public static class ExpireQuoteEndpoint
{
    /// <summary>Expiry normally runs as scheduled work; an administrator may also trigger it.</summary>
    [WolverinePost("/quotes/{quoteId}/expire"), Authorize(Roles = LedgerRoles.Admin)]
    public static Task<IResult> Post(string quoteId, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new ExpireQuote(new QuoteId(quoteId)));
}
