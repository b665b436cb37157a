using Ledger.Api.Commands;
using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Contracts;
using Ledger.Domain.Common;

namespace Ledger.Api.Contracts;

/// <summary>What every command on a contract does at the edge: load it once, check the caller's CRM, decide.</summary>
public static class ContractCommandEndpoint
{
    public static async Task<IResult> DecideOnContract(this CommandUnit unit, HttpContext context, string contractId,
        Func<ContractState, ContractCommand> command, CancellationToken ct)
    {
        var contract = await unit.Load(Streams.Contract(new ContractId(contractId)), ct);
        // A contract from another CRM than the caller's: 403 before anything is decided (ADR/0011).
        return context.Forbids(contract.State.Started?.SourceCrm) ?? (await unit.Decide(contract, command(contract.State), ct)).ToHttp(context);
    }

    /// <summary>A 400 for a field the request must carry, before any work is done.</summary>
    public static IResult Required(string field) =>
        Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "contract.field-required", $"{field} is required.", field));
}
