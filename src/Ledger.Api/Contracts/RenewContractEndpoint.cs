using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Contracts;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Contracts;

/// <param name="UpliftPercent">How much the next term's list prices rise; 0 when not given.</param>
public sealed record RenewContractRequest(int? ExpectedVersion, decimal? UpliftPercent);

public static class RenewContractEndpoint
{
    /// <summary>Renews the contract for one more term, following the current one.</summary>
    [WolverinePost("/contracts/{contractId}/renew"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string contractId, RenewContractRequest request, CommandRunner commands, HttpContext context) =>
        request.ExpectedVersion is not { } version
            ? Task.FromResult(ContractCommandEndpoint.Required("expectedVersion"))
            : commands.Answer(context, (unit, ct) => unit.DecideOnContract(context, contractId,
                _ => new RenewContract(new ContractId(contractId), version, request.UpliftPercent ?? 0m, context.User.ClientName()), ct));
}
