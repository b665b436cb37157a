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
    /// <summary>An acknowledgement; the order is closed by a reaction to it (ADR/0017).</summary>
    [WolverinePost("/orders/{orderId}/billing/acknowledgements"), Authorize(Roles = LedgerRoles.Billing)]
    public static Task<IResult> Acknowledge(string orderId, AcknowledgementRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Billing(orderId),
            _ => new RecordBillingAcknowledgement(orderId, request.BillingReference, request.BilledAmount, request.Currency), ct));

    /// <summary>A failure billing reports; a retryable one is sent again by a reaction.</summary>
    [WolverinePost("/orders/{orderId}/billing/failures"), Authorize(Roles = LedgerRoles.Billing)]
    public static Task<IResult> Fail(string orderId, FailureRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Billing(orderId), _ => new RecordBillingFailure(orderId, request.Reason, request.Retryable), ct));

    /// <summary>Sends the handoff again (e.g. after a retryable failure); no new event unless billing answers.</summary>
    [WolverinePost("/orders/{orderId}/billing/resend"), Authorize(Roles = $"{LedgerRoles.Crm},{LedgerRoles.Finance}")]
    public static async Task<IResult> Resend(string orderId, CommandRunner commands, IMessageBus bus, HttpContext context)
    {
        var resend = false;
        var answer = await commands.Answer(context, async (unit, ct) =>
        {
            var order = await unit.Consult(Streams.Order(orderId), ct);
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

    [WolverinePost("/orders/{orderId}/billing/reconcile"), Authorize(Roles = LedgerRoles.Finance)]
    public static Task<IResult> Reconcile(string orderId, ReconcileRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Billing(orderId), _ => new ReconcileBilling(orderId, context.User.ClientName(), request.Note), ct));
}
