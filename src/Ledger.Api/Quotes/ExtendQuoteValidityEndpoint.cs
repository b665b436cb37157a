using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Quotes;

public sealed record ExtendValidityRequest(LocalDate ValidUntil, string Reason);

public static class ExtendQuoteValidityEndpoint
{
    /// <summary>A later last day for an open quote; the scheduled expiry finds it still valid and looks again then.</summary>
    [WolverinePost("/quotes/{quoteId}/extend-validity"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string quoteId, ExtendValidityRequest request, CommandRunner commands, HttpContext context) =>
        QuoteCommandEndpoint.Send(commands, context, quoteId, _ => new ExtendQuoteValidity(new QuoteId(quoteId), request.ValidUntil, request.Reason, context.User.ClientName()));
}
