using System.Net;
using System.Net.Http.Json;
using Ledger.Application.Commands;
using Ledger.Domain.Billing;
using Ledger.EventStore;
using NodaTime;
using Wolverine;

namespace Ledger.Application.Billing;

/// <summary>Durable message: hand the order's billing request to the billing system.</summary>
public sealed record SendBillingHandoff(string OrderId);

/// <summary>Durable, scheduled message: if billing has not answered by now, the handoff is unconfirmed.</summary>
public sealed record CheckBillingHandoff(string OrderId);

/// <summary>Where the billing system is and how long the ledger waits for its acknowledgement.</summary>
public sealed record BillingSettings(Uri? BillingUrl, Uri CallbackBaseUrl, Duration Timeout);

/// <summary>The billing system answered that it will not bill this request, so retrying is pointless.</summary>
public sealed record BillingRejection(string Reason);

/// <summary>The billing system could not be reached or answered 5xx: retried by Wolverine with back-off.</summary>
public sealed class BillingUnavailableException(string message) : Exception(message);

/// <summary>Posts a handoff to the billing system; an answer arrives later, at the ledger's acknowledgement endpoint.</summary>
public sealed class BillingClient(IHttpClientFactory httpClients, BillingSettings settings)
{
    public const string HttpClientName = "billing";

    public async Task<BillingRejection?> SendAsync(BillingHandoffRequested request, CancellationToken ct)
    {
        if (settings.BillingUrl is null) throw new BillingUnavailableException("No billing system is configured (Billing:Url).");
        var callback = new Uri(settings.CallbackBaseUrl, $"orders/{Uri.EscapeDataString(request.OrderId)}/billing/acknowledgements");
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(settings.BillingUrl, "handoffs"))
        {
            Content = JsonContent.Create(new
            {
                request.IdempotencyKey, request.OrderId, request.Amount, request.Currency, request.BillingAccount, CallbackUrl = callback,
            }),
        };
        message.Headers.Add("Idempotency-Key", request.IdempotencyKey);
        HttpResponseMessage response;
        try
        {
            response = await httpClients.CreateClient(HttpClientName).SendAsync(message, ct);
        }
        catch (HttpRequestException e)
        {
            throw new BillingUnavailableException($"Billing did not answer: {e.Message}");
        }
        using (response)
        {
            if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
                throw new BillingUnavailableException($"Billing answered {(int)response.StatusCode}.");
            if (!response.IsSuccessStatusCode)
                return new BillingRejection($"Billing refused the handoff ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(ct)}");
            return null;
        }
    }
}

/// <summary>
/// The billing handoff as durable work: send, retry on unavailability (Wolverine's back-off), record a refusal as a
/// business failure, and after the timeout mark an unanswered handoff unconfirmed (escalated in reconciliation).
/// Commands these handlers send use keys derived from the order, so a redelivered message changes nothing twice.
/// </summary>
public static class BillingHandoffHandler
{
    public static async Task Handle(SendBillingHandoff message, CommandRunner commands, IEventStore store, EventSerializer serializer,
        BillingClient billing, BillingSettings settings, IMessageBus bus, CancellationToken ct)
    {
        // Only a read: no command unit (and no transaction) until there is something to decide.
        var state = await store.FoldAsync(serializer, Streams.Billing(message.OrderId), ct);
        if (state.Request is null || state.Confirmed || state.Status == BillingStatus.Failed && !state.LastFailureRetryable) return;

        if (await billing.SendAsync(state.Request, ct) is { } rejection)
        {
            await commands.RunAsync(CommandMetadata.ByLedger($"billing-rejected-{message.OrderId}"),
                unit => unit.Decide(Streams.Billing(message.OrderId), _ => new RecordBillingFailure(message.OrderId, rejection.Reason, Retryable: false), ct), ct);
            return;
        }
        await bus.ScheduleAsync(new CheckBillingHandoff(message.OrderId), settings.Timeout.ToTimeSpan());
    }

    public static Task Handle(CheckBillingHandoff message, CommandRunner commands, BillingSettings settings, CancellationToken ct) =>
        commands.RunAsync(CommandMetadata.ByLedger($"billing-timeout-{message.OrderId}"),
            unit => unit.Decide(Streams.Billing(message.OrderId), _ => new MarkBillingUnconfirmed(message.OrderId, settings.Timeout), ct), ct);
}
