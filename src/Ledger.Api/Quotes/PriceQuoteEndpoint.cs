using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Application.Reference;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Quotes;

public sealed record PriceQuoteRequest(string? PolicyVersion);

public static class PriceQuoteEndpoint
{
    /// <summary>Prices under the named policy version, or the newest one published.</summary>
    [WolverinePost("/quotes/{quoteId}/price"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string quoteId, PriceQuoteRequest request, CommandRunner commands, ReferenceData reference, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            var policies = await reference.Policies(unit, ct);
            var policy = request.PolicyVersion is { Length: > 0 } version ? policies.Versions.GetValueOrDefault(version) : policies.Newest;
            return await unit.DecideOnQuote(context, quoteId, _ => new PriceQuote(quoteId, policy), ct);
        });
}
