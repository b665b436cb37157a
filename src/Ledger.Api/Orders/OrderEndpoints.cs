using System.Security.Cryptography;
using System.Text;
using Ledger.Api.Commands;
using Ledger.Api.Quotes;
using Ledger.Api.Security;
using Ledger.Application.Billing;
using Ledger.Application.Commands;
using Ledger.Domain.Billing;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;
using Microsoft.AspNetCore.Authorization;
using Wolverine;
using Wolverine.Http;

namespace Ledger.Api.Orders;

public sealed record PlaceOrderRequest(string BillingAccount);

public sealed record CancelOrderRequest(string Reason);

/// <summary>
/// An accepted quote becomes its one order (id <c>ord-{quoteId}</c>), the quote records the conversion and the billing
/// handoff is requested, all in one unit; a durable message then sends the handoff to billing.
/// </summary>
public static class OrderEndpoints
{
    [WolverinePost("/quotes/{quoteId}/order"), Authorize(Roles = LedgerRoles.Crm)]
    public static async Task<IResult> Place(string quoteId, PlaceOrderRequest request, CommandRunner commands, IMessageBus bus, HttpContext context)
    {
        var orderId = OrderDecider.OrderIdFor(quoteId);
        var requested = false;
        var answer = await commands.Answer(context, async (unit, ct) =>
        {
            var (quote, forbidden) = await unit.LoadCallersQuote(context, quoteId, ct);
            if (forbidden is not null) return forbidden;
            if (string.IsNullOrWhiteSpace(request.BillingAccount))
                return Results.Problem(Problems.LedgerProblems.Create(StatusCodes.Status400BadRequest, "order.field-required", "billingAccount is required.", "billingAccount"));

            var (placed, placedOrder) = await unit.DecideAndEvolve(Streams.Order(orderId),
                _ => new PlaceOrder(orderId, quoteId, AcceptedQuote.From(quote.State), unit.Metadata.Actor), ct);
            if (placed is CommandResult.Appended or CommandResult.Unchanged)
            {
                await unit.Decide(quote, new ConvertQuoteToOrder(quoteId, orderId), ct);
                var order = placedOrder.Placed!.Quote;
                var handoff = await unit.Decide(Streams.Billing(orderId), _ => new RequestBillingHandoff(orderId, order.NetTotal, order.Currency,
                    request.BillingAccount, IdempotencyKey: $"billing-{orderId}", PayloadHash: PayloadHash(orderId, order, request.BillingAccount)), ct);
                requested = handoff is CommandResult.Appended;
            }
            return placed.ToHttp(context, createdLocation: $"/orders/{orderId}");
        });
        if (requested) await bus.PublishAsync(new SendBillingHandoff(orderId));
        return answer;
    }

    [WolverinePost("/orders/{orderId}/cancel"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Cancel(string orderId, CancelOrderRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            var order = await unit.Load(Streams.Order(orderId), ct);
            if (context.Forbids(order.State.Placed?.Quote.SourceCrm) is { } forbidden) return forbidden;
            var billing = await unit.Consult(Streams.Billing(orderId), ct);
            return (await unit.Decide(order, new CancelOrder(orderId, request.Reason, context.User.ClientName(), billing.Confirmed), ct)).ToHttp(context);
        });

    private static string PayloadHash(string orderId, AcceptedQuote order, string billingAccount) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{orderId}|{order.QuoteId}|r{order.Revision}|{order.NetTotal}|{order.Currency}|{billingAccount}")));
}
