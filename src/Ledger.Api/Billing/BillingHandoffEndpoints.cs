using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Billing;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Billing;

/// <summary>
/// What billing reports back about a handoff by its id: where a contract change's handoff is answered (ADR/0021), since
/// it is no order's. The same commands on the same billing stream as an order's answers; a reaction notes the
/// acknowledgement on the contract.
/// </summary>
public static class BillingHandoffEndpoints
{
    [WolverinePost("/billing/handoffs/{handoffId}/acknowledgements"), Authorize(Roles = LedgerRoles.Billing)]
    public static Task<IResult> Acknowledge(string handoffId, AcknowledgementRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Billing(handoffId),
            _ => new RecordBillingAcknowledgement(handoffId, request.BillingReference, request.BilledAmount, request.Currency), ct));

    [WolverinePost("/billing/handoffs/{handoffId}/failures"), Authorize(Roles = LedgerRoles.Billing)]
    public static Task<IResult> Fail(string handoffId, FailureRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Billing(handoffId), _ => new RecordBillingFailure(handoffId, request.Reason, request.Retryable), ct));
}
