using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Application.Reference;
using Ledger.Domain.Contracts;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Contracts;

/// <param name="Quantity">The line's new quantity; 0 removes it.</param>
/// <param name="ProductOfferingId">Only for a line the contract does not have yet: what to add, from <paramref name="CatalogVersion"/>.</param>
/// <param name="DiscountPercent">Only for an added line: its discount (default 0); judged by the pricing policy with the rest of the delta.</param>
public sealed record AmendContractLineRequest(string LineId, decimal? Quantity, string? ProductOfferingId, string? CatalogVersion, decimal? DiscountPercent = null);

/// <param name="ExpectedVersion">The contract version the amendment was written against (GET /contracts/{id}); a stale one is refused with 409.</param>
public sealed record AmendContractRequest(int? ExpectedVersion, LocalDate? EffectiveDate, IReadOnlyList<AmendContractLineRequest>? Lines);

public static class AmendContractEndpoint
{
    /// <summary>
    /// Add, remove or change lines from a date to the term's end; the prorated delta is recorded for billing (ADR/0021).
    /// A delta the current pricing policy says needs approval is recorded as proposed and waits for its approval stream.
    /// </summary>
    [WolverinePost("/contracts/{contractId}/amendments"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string contractId, AmendContractRequest request, CommandRunner commands, ReferenceData reference, HttpContext context)
    {
        if (request.ExpectedVersion is not { } version) return Task.FromResult(ContractCommandEndpoint.Required("expectedVersion"));
        if (request.EffectiveDate is not { } effective) return Task.FromResult(ContractCommandEndpoint.Required("effectiveDate"));
        var requested = request.Lines ?? [];
        // A missing quantity is not 0: 0 removes a line, so it must be said.
        for (var i = 0; i < requested.Count; i++)
            if (requested[i]?.Quantity is null) return Task.FromResult(ContractCommandEndpoint.Required($"lines[{i}].quantity"));
        return commands.Answer(context, async (unit, ct) =>
        {
            var catalog = await reference.Catalog(unit, ct);
            var lines = requested.Select(l => new ContractLineAmendment(l.LineId, l.Quantity!.Value, l.ProductOfferingId, l.CatalogVersion,
                catalog.Find(l.CatalogVersion ?? "", l.ProductOfferingId ?? ""), l.DiscountPercent)).ToList();
            var contract = await unit.Load(Streams.Contract(new ContractId(contractId)), ct);
            if (context.Forbids(contract.State.Started?.SourceCrm) is { } forbidden) return forbidden;
            // The current policy judges the delta, with the segment and region of the quote the contract came from.
            var policy = (await reference.Policies(unit, ct)).Newest;
            var draft = contract.State.Started is { } started ? (await unit.Consult(Streams.Quote(started.QuoteId), ct)).Draft : null;
            var judgedBy = policy is null || draft is null ? null : new AmendmentPolicy(policy, draft.Segment, draft.Region);
            return (await unit.Decide(contract, new AmendContract(new ContractId(contractId), version, effective, lines, context.User.ClientName(), judgedBy), ct)).ToHttp(context);
        });
    }
}
