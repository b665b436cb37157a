using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Orders;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Orders;

public sealed record CancelOrderRequest(string Reason);

public static class CancelOrderEndpoint
{
    [WolverinePost("/orders/{orderId}/cancel"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string orderId, CancelOrderRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            var order = await unit.Load(Streams.Order(new OrderId(orderId)), ct);
            if (context.Forbids(order.State.Placed?.Quote.SourceCrm) is { } forbidden) return forbidden;
            var billing = await unit.Consult(Streams.Billing(orderId), ct);
            return (await unit.Decide(order, new CancelOrder(new OrderId(orderId), request.Reason, context.User.ClientName(), billing.Confirmed), ct)).ToHttp(context);
        });
}
