using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Billing;
using Ledger.Application.Commands;
using Ledger.Domain.Billing;
using Ledger.Domain.Orders;
using Microsoft.AspNetCore.Authorization;
using Wolverine;
using Wolverine.Http;

namespace Ledger.Api.Billing;

public sealed record AcknowledgementRequest(string BillingReference, decimal BilledAmount, string Currency);

public sealed record FailureRequest(string Reason, bool Retryable);

public sealed record ReconcileRequest(string Note);

/// <summary>What the billing system reports back, and what finance does with it.</summary>
public static class BillingEndpoints
{
    /// <summary>An acknowledgement; once billing has confirmed, the order closes.</summary>
    [WolverinePost("/orders/{orderId}/billing/acknowledgements"), Authorize(Roles = LedgerRoles.Billing)]
    public static async Task<IResult> Acknowledge(string orderId, AcknowledgementRequest request, StreamCommands streams, HttpContext context, CancellationToken ct)
    {
        var result = await streams.Send(new RecordBillingAcknowledgement(orderId, request.BillingReference, request.BilledAmount, request.Currency),
            context.CommandMetadata(), ct);
        if (result is CommandResult.Appended or CommandResult.Unchanged && await streams.LoadBilling(orderId, ct) is { Confirmed: true } billing)
            await streams.Send(new CloseOrder(orderId, billing.Acknowledgement!.BillingReference), context.CommandMetadata(), ct);
        return result.ToHttp(context);
    }

    [WolverinePost("/orders/{orderId}/billing/failures"), Authorize(Roles = LedgerRoles.Billing)]
    public static async Task<IResult> Fail(string orderId, FailureRequest request, StreamCommands streams, IMessageBus bus, HttpContext context, CancellationToken ct)
    {
        var result = await streams.Send(new RecordBillingFailure(orderId, request.Reason, request.Retryable), context.CommandMetadata(), ct);
        if (result is CommandResult.Appended && request.Retryable) await bus.PublishAsync(new SendBillingHandoff(orderId));
        return result.ToHttp(context);
    }

    /// <summary>Sends the handoff again (e.g. after a retryable failure); no new event unless billing answers.</summary>
    [WolverinePost("/orders/{orderId}/billing/resend"), Authorize(Roles = $"{LedgerRoles.Crm},{LedgerRoles.Finance}")]
    public static async Task<IResult> Resend(string orderId, StreamCommands streams, IMessageBus bus, HttpContext context, CancellationToken ct)
    {
        var order = await streams.LoadOrder(orderId, ct);
        if (context.Forbids(order.Placed?.Quote.SourceCrm) is { } forbidden) return forbidden;
        var billing = await streams.LoadBilling(orderId, ct);
        if (billing.Request is null)
            return Results.Problem(Problems.LedgerProblems.Create(StatusCodes.Status404NotFound, "billing.not-requested", $"Order {orderId} has no billing handoff.", "orderId"));
        await bus.PublishAsync(new SendBillingHandoff(orderId));
        return Results.Accepted(value: new { orderId, billing = billing.Status.ToString() });
    }

    [WolverinePost("/orders/{orderId}/billing/reconcile"), Authorize(Roles = LedgerRoles.Finance)]
    public static async Task<IResult> Reconcile(string orderId, ReconcileRequest request, StreamCommands streams, HttpContext context, CancellationToken ct) =>
        (await streams.Send(new ReconcileBilling(orderId, context.User.ClientName(), request.Note), context.CommandMetadata(), ct)).ToHttp(context);
}
