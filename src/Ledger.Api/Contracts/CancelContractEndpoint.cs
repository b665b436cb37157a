using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Contracts;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Contracts;

public sealed record CancelContractRequest(int? ExpectedVersion, LocalDate? EffectiveDate, string? Reason);

public static class CancelContractEndpoint
{
    /// <summary>Terminates the contract from a date; the prorated credit owed for the rest of the term is recorded (ADR/0021).</summary>
    [WolverinePost("/contracts/{contractId}/cancel"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string contractId, CancelContractRequest request, CommandRunner commands, HttpContext context)
    {
        if (request.ExpectedVersion is not { } version) return Task.FromResult(ContractCommandEndpoint.Required("expectedVersion"));
        if (request.EffectiveDate is not { } effective) return Task.FromResult(ContractCommandEndpoint.Required("effectiveDate"));
        return commands.Answer(context, (unit, ct) => unit.DecideOnContract(context, contractId,
            _ => new CancelContract(new ContractId(contractId), version, effective, request.Reason ?? "", context.User.ClientName()), ct));
    }
}
