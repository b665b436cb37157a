using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Orders;

/// <summary>An order as the event store has it now: its status and the accepted quote it was placed from. A CRM reads only its own.</summary>
public static class OrderEndpoint
{
    [WolverineGet("/orders/{orderId}"), Authorize(Roles = $"{LedgerRoles.Crm},{LedgerRoles.Finance},{LedgerRoles.Billing},{LedgerRoles.Admin}")]
    public static async Task<IResult> Get(string orderId, IEventStore store, EventSerializer serializer, HttpContext context, CancellationToken ct)
    {
        var order = await store.FoldAsync(serializer, Streams.Order(new OrderId(orderId)), ct);
        if (order.Placed is not { } placed)
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "order.not-found", $"No order {orderId} is placed.", "orderId"));
        if (context.Forbids(placed.Quote.SourceCrm) is { } forbidden) return forbidden;
        return Results.Ok(new
        {
            orderId, Status = order.Status.ToString(), placed.Quote, placed.BillingAccount, placed.PlacedBy, placed.PlacedAt,
        });
    }
}
