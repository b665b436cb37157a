using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Application.Contracts;
using Ledger.Application.Reference;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Contracts;

/// <param name="ExpectedVersion">The contract version the amendment quote amends (GET /contracts/{id}); a stale one is refused with 409.</param>
/// <param name="EffectiveDate">From when the changes count, to the latest term's end (co-termed).</param>
/// <param name="ValidUntil">The quote's last valid day; the term's last day when not given.</param>
/// <param name="CrmOpportunityId">The CRM's opportunity for this amendment, when it opens one; else the contract quote's opportunity.</param>
public sealed record DraftAmendmentQuoteRequest(int? ExpectedVersion, LocalDate? EffectiveDate, LocalDate? ValidUntil = null, string? CrmOpportunityId = null);

/// <summary>The answer: the drafted quote (also the Location), and what it amends.</summary>
public sealed record AmendmentQuoteDrafted(string QuoteId, string ContractId, int BasedOnVersion, LocalDate EffectiveDate);

public static class DraftAmendmentQuoteEndpoint
{
    /// <summary>
    /// Drafts an amendment quote against the contract (ADR/0021): quote <c>{quoteId}-AM{n}</c>, its lines the contract's,
    /// to be changed, priced (at the prorated, co-termed delta), submitted, sent, accepted and ordered as any quote. Its
    /// order amends the contract while the contract is still at <c>expectedVersion</c>.
    /// </summary>
    [WolverinePost("/contracts/{contractId}/amendment-quotes"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string contractId, DraftAmendmentQuoteRequest request, CommandRunner commands, ReferenceData reference, HttpContext context)
    {
        if (request.ExpectedVersion is not { } version) return Task.FromResult(ContractCommandEndpoint.Required("expectedVersion"));
        if (request.EffectiveDate is not { } effective) return Task.FromResult(ContractCommandEndpoint.Required("effectiveDate"));
        return commands.Answer(context, async (unit, ct) =>
        {
            var contract = await unit.Consult(Streams.Contract(new ContractId(contractId)), ct);
            if (context.Forbids(contract.Started?.SourceCrm) is { } forbidden) return forbidden;
            var drafted = await AmendmentQuoteDrafting.DraftAsync(unit, reference, new ContractId(contractId), version, effective, request.ValidUntil,
                request.CrmOpportunityId is { Length: > 0 } opportunity ? opportunity : null, ct);
            return drafted is CommandResult.Appended
                ? Results.Created($"/quotes/{contract.NextAmendmentQuoteId}", new AmendmentQuoteDrafted(contract.NextAmendmentQuoteId, contractId, version, effective))
                : drafted.ToHttp(context);
        });
    }
}
