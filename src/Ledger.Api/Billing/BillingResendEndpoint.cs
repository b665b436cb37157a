using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Billing;
using Ledger.Application.Commands;
using Ledger.Domain.Orders;
using Microsoft.AspNetCore.Authorization;
using Wolverine;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Billing;

public static class BillingResendEndpoint
{
    /// <summary>Sends the handoff again (e.g. after a retryable failure); no new event unless billing answers.</summary>
    [WolverinePost("/orders/{orderId}/billing/resend"), Authorize(Roles = $"{LedgerRoles.Crm},{LedgerRoles.Finance}")]
    public static async Task<IResult> Post(string orderId, CommandRunner commands, IMessageBus bus, HttpContext context)
    {
        var resend = false;
        var answer = await commands.Answer(context, async (unit, ct) =>
        {
            var order = await unit.Consult(Streams.Order(new OrderId(orderId)), ct);
            if (context.Forbids(order.Placed?.Quote.SourceCrm) is { } forbidden) return forbidden;
            var billing = await unit.Consult(Streams.Billing(orderId), ct);
            if (billing.Request is null)
                return Results.Problem(Problems.LedgerProblems.Create(StatusCodes.Status404NotFound, "billing.not-requested", $"Order {orderId} has no billing handoff.", "orderId"));
            resend = true;
            return Results.Accepted(value: new { orderId, billing = billing.Status.ToString() });
        });
        if (resend) await bus.PublishAsync(new SendBillingHandoff(orderId));
        return answer;
    }
}
