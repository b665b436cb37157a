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
/// An accepted quote becomes its one order (id <c>ord-{quoteId}</c>), the quote records the conversion, and the
/// billing handoff is requested and sent by a durable message. Each step is idempotent, so a retry completes
/// whatever an interrupted attempt left undone.
/// </summary>
public static class OrderEndpoints
{
    [WolverinePost("/quotes/{quoteId}/order"), Authorize(Roles = LedgerRoles.Crm)]
    public static async Task<IResult> Place(string quoteId, PlaceOrderRequest request, StreamCommands streams, IMessageBus bus, HttpContext context, CancellationToken ct)
    {
        var quote = await streams.LoadQuote(quoteId, ct);
        if (context.Forbids(quote.Draft?.SourceCrm) is { } forbidden) return forbidden;
        if (string.IsNullOrWhiteSpace(request.BillingAccount))
            return Results.Problem(Problems.LedgerProblems.Create(StatusCodes.Status400BadRequest, "order.field-required", "billingAccount is required.", "billingAccount"));

        var orderId = OrderDecider.OrderIdFor(quoteId);
        var metadata = context.CommandMetadata();
        var placed = await streams.Send(new PlaceOrder(orderId, quoteId, AcceptedQuote.From(quote), metadata.Actor), metadata, ct);
        if (placed is not (CommandResult.Appended or CommandResult.Unchanged)) return placed.ToHttp(context);

        await streams.Send(new ConvertQuoteToOrder(quoteId, orderId), metadata, ct);
        var order = (await streams.LoadOrder(orderId, ct)).Placed!.Quote;
        await streams.Send(new RequestBillingHandoff(orderId, order.NetTotal, order.Currency, request.BillingAccount,
            IdempotencyKey: $"billing-{orderId}", PayloadHash: PayloadHash(orderId, order, request.BillingAccount)), metadata, ct);
        await bus.PublishAsync(new SendBillingHandoff(orderId));
        return placed.ToHttp(context, createdLocation: $"/orders/{orderId}");
    }

    [WolverinePost("/orders/{orderId}/cancel"), Authorize(Roles = LedgerRoles.Crm)]
    public static async Task<IResult> Cancel(string orderId, CancelOrderRequest request, StreamCommands streams, HttpContext context, CancellationToken ct)
    {
        var order = await streams.LoadOrder(orderId, ct);
        if (context.Forbids(order.Placed?.Quote.SourceCrm) is { } forbidden) return forbidden;
        var billing = await streams.LoadBilling(orderId, ct);
        return (await streams.Send(new CancelOrder(orderId, request.Reason, context.User.ClientName(), billing.Confirmed), context.CommandMetadata(), ct))
            .ToHttp(context);
    }

    private static string PayloadHash(string orderId, AcceptedQuote order, string billingAccount) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{orderId}|{order.QuoteId}|r{order.Revision}|{order.NetTotal}|{order.Currency}|{billingAccount}")));
}
