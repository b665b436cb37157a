using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Billing;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Billing;

public sealed record AcknowledgementRequest(string BillingReference, decimal BilledAmount, string Currency);

public static class BillingAcknowledgementEndpoint
{
    /// <summary>An acknowledgement; the order is closed by a reaction to it (ADR/0017).</summary>
    [WolverinePost("/orders/{orderId}/billing/acknowledgements"), Authorize(Roles = LedgerRoles.Billing)]
    public static Task<IResult> Post(string orderId, AcknowledgementRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Billing(orderId),
            _ => new RecordBillingAcknowledgement(orderId, request.BillingReference, request.BilledAmount, request.Currency), ct));
}
