using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Billing;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Billing;

public sealed record FailureRequest(string Reason, bool Retryable);

public static class BillingFailureEndpoint
{
    /// <summary>A failure billing reports; a retryable one is sent again by a reaction.</summary>
    [WolverinePost("/orders/{orderId}/billing/failures"), Authorize(Roles = LedgerRoles.Billing)]
    public static Task<IResult> Post(string orderId, FailureRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Billing(orderId), _ => new RecordBillingFailure(orderId, request.Reason, request.Retryable), ct));
}
