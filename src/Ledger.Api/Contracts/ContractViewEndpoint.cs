using Ledger.Api.Problems;
using Ledger.Api.Security;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Contracts;

public static class ContractViewEndpoint
{
    /// <summary>
    /// The contract's read model (projection <c>contract-view</c>, ADR/0021): its terms, each change with what billing was
    /// handed and answered, its renewal and amendment quotes and its value movements; nothing of reconciliation (ADR/0029:
    /// finance reads discrepancies from <c>/reconciliation/discrepancies</c>). It lags commands (ADR/0014);
    /// <c>GET /contracts/{id}</c> is the folded stream. A CRM reads only its own contracts.
    /// </summary>
    [WolverineGet("/contracts/{contractId}/view"), Authorize(Roles = $"{LedgerRoles.Crm},{LedgerRoles.Finance},{LedgerRoles.Admin}")]
    public static async Task<IResult> Get(string contractId, IQuerySession session, HttpContext context, CancellationToken ct)
    {
        if (await session.LoadAsync<Ledger.Projections.Contracts.ContractView>(contractId, ct) is not { QuoteId: not null } view)
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "contract.not-in-view",
                $"The contract view has no contract {contractId} (or has not caught up with it yet).", "contractId"));
        return context.Forbids(view.SourceCrm) ?? Results.Ok(view);
    }
}
