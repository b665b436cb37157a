using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Application.Contracts;
using Ledger.Domain.Orders;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Orders;

public sealed record PlaceOrderRequest(string BillingAccount);

/// <summary>An accepted quote becomes its one order (id <c>ord-{quoteId}</c>). Converting the quote and handing the order to billing follow as reactions to the placed order (ADR/0017).</summary>
public static class PlaceOrderEndpoint
{
    [WolverinePost("/quotes/{quoteId}/order"), Authorize(Roles = LedgerRoles.Crm)]
    public static Task<IResult> Post(string quoteId, PlaceOrderRequest request, CommandRunner commands, HttpContext context)
    {
        var orderId = OrderDecider.OrderIdFor(new QuoteId(quoteId));
        return commands.Answer(context, async (unit, ct) =>
        {
            var quote = await unit.Consult(Streams.Quote(new QuoteId(quoteId)), ct);
            if (context.Forbids(quote.Draft?.SourceCrm) is { } forbidden) return forbidden;
            // An amendment quote's order is refused when its contract moved on from the version it amends (ADR/0021).
            var amends = await AmendmentQuoteDrafting.BasisOfAsync(unit, new QuoteId(quoteId), ct);
            var placed = await unit.Decide(Streams.Order(orderId),
                _ => new PlaceOrder(orderId, new QuoteId(quoteId), AcceptedQuote.From(quote), unit.Metadata.Actor, request.BillingAccount, amends), ct);
            return placed.ToHttp(context, createdLocation: $"/orders/{orderId}");
        });
    }
}
