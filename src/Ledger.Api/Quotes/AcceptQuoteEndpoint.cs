using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Quotes;

public sealed record AcceptQuoteRequest(int Revision, string AcceptanceType, string Signer);

public static class AcceptQuoteEndpoint
{
    [WolverinePost("/quotes/{quoteId}/accept"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string quoteId, AcceptQuoteRequest request, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new AcceptQuote(new QuoteId(quoteId), request.Revision, request.AcceptanceType, request.Signer));
}
