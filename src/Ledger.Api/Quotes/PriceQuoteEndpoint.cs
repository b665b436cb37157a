using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Application.Contracts;
using Ledger.Application.Reference;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

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
            // An amendment quote is priced at its delta against its contract as it is now (ADR/0021).
            var amends = await AmendmentQuoteDrafting.BasisOfAsync(unit, new QuoteId(quoteId), ct);
            return await unit.DecideOnQuote(context, quoteId, _ => new PriceQuote(new QuoteId(quoteId), policy, amends), ct);
        });
}
