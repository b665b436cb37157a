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

public static class SubmitQuoteEndpoint
{
    /// <summary>Submits under the policy the quote was priced with; when it asks for approval levels, the approval is requested by a reaction.</summary>
    [WolverinePost("/quotes/{quoteId}/submit"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string quoteId, CommandRunner commands, ReferenceData reference, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            var policies = await reference.Policies(unit, ct);
            var amends = await AmendmentQuoteDrafting.BasisOfAsync(unit, new QuoteId(quoteId), ct);
            return await unit.DecideOnQuote(context, quoteId, quote => new SubmitQuote(new QuoteId(quoteId), context.User.ClientName(),
                quote.Pricing is { } p ? policies.Versions.GetValueOrDefault(p.PolicyVersion) : null, amends), ct);
        });
}
