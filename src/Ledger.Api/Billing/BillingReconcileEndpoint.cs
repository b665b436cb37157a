using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Billing;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Billing;

public sealed record ReconcileRequest(string Note);

public static class BillingReconcileEndpoint
{
    [WolverinePost("/orders/{orderId}/billing/reconcile"), Authorize(Roles = LedgerRoles.Finance)]
    public static Task<IResult> Post(string orderId, ReconcileRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Billing(orderId), _ => new ReconcileBilling(orderId, context.User.ClientName(), request.Note), ct));
}
