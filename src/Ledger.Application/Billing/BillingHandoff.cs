using System.Net;
using System.Net.Http.Json;
using Ledger.Application.Commands;
using Ledger.Application.Reactions;
using Ledger.Domain.Billing;
using Ledger.EventStore;
using Ledger.EventStore.Writing;
using Microsoft.Extensions.Logging;
using NodaTime;
using Wolverine;
using Ledger.Domain.Common;

namespace Ledger.Application.Billing;

/// <summary>Durable message: hand the order's billing request to the billing system (attempt 1, then the retries).</summary>
public sealed record SendBillingHandoff(string OrderId, int Attempt = 1);

/// <summary>Durable message: send the handoff again once it is due (billing reported a failure worth retrying).</summary>
public sealed record ResendBillingHandoff(string OrderId, Instant DueAt) : IDueMessage;

/// <summary>Durable message due at the handoff's deadline: if billing has not answered by then, the handoff is unconfirmed.</summary>
public sealed record CheckBillingHandoff(string OrderId, Instant DueAt) : IDueMessage;

/// <param name="BillingUrl">The billing system; null: none configured, every send counts as billing unavailable.</param>
/// <param name="Timeout">How long billing has to answer a handoff (its deadline is recorded with the request).</param>
/// <param name="RetryDelays">The waits between attempts while billing is unavailable; after the last one the ledger asks billing and concludes.</param>
/// <param name="RequestTimeout">How long one call to billing may take; a call that takes longer counts as billing unavailable.</param>
public sealed record BillingSettings(Uri? BillingUrl, Uri CallbackBaseUrl, Duration Timeout, IReadOnlyList<TimeSpan> RetryDelays, TimeSpan RequestTimeout);

/// <summary>The billing system answered that it will not bill this request, so retrying is pointless.</summary>
public sealed record BillingRejection(string Reason);

/// <summary>What billing holds under a handoff's idempotency key.</summary>
public sealed record BillingHandoffStatus(string BillingReference, decimal Amount, string Currency);

/// <summary>The billing system could not be reached, did not answer in time, or answered 5xx/429.</summary>
public sealed class BillingUnavailableException(string message) : Exception(message);

/// <summary>The billing calls' meter: every call counted by what it was and how it ended, for the error-rate alert (ops/alerts).</summary>
public static class BillingMetrics
{
    public const string MeterName = "Ledger.Billing";

    private static readonly System.Diagnostics.Metrics.Meter Meter = new(MeterName);

    /// <summary><c>call</c>: send | find; <c>outcome</c>: answered (2xx, or 404 to a find) | refused (4xx) | unavailable (5xx, 429, no answer in time, unreachable).</summary>
    internal static readonly System.Diagnostics.Metrics.Counter<long> Calls =
        Meter.CreateCounter<long>("ledger.billing.calls", "{call}", "Calls to the billing system, by call and outcome.");

    internal static void Count(string call, string outcome) =>
        Calls.Add(1, new KeyValuePair<string, object?>("call", call), new KeyValuePair<string, object?>("outcome", outcome));
}

/// <summary>Talks to the billing system: posts a handoff (its answer arrives later, at the acknowledgement endpoint) and asks for one by key.</summary>
public sealed class BillingClient(IHttpClientFactory httpClients, BillingSettings settings)
{
    public const string HttpClientName = "billing";

    /// <param name="correlationId">The correlation id of the command that led to the handoff, sent as <c>X-Correlation-Id</c>.</param>
    public async Task<BillingRejection?> SendAsync(BillingHandoffRequested request, string? correlationId, CancellationToken ct)
    {
        // A contract change's handoff is answered at its own address: it is no order's, and its acknowledgement closes none.
        var callback = new Uri(settings.CallbackBaseUrl, request.ContractChange is null
            ? $"orders/{Uri.EscapeDataString(request.OrderId)}/billing/acknowledgements"
            : $"billing/handoffs/{Uri.EscapeDataString(request.OrderId)}/acknowledgements");
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(BillingUrl, "handoffs"))
        {
            Content = JsonContent.Create(new
            {
                request.IdempotencyKey, request.OrderId, request.Amount, request.Currency, request.BillingAccount, CallbackUrl = callback,
                // What billing is asked for: an order, or a contract's amendment, renewal or cancellation (a negative amount is a credit).
                Kind = request.ContractChange?.Kind.ToString() ?? "Order", request.ContractChange?.ContractId,
            }),
        };
        message.Headers.Add("Idempotency-Key", request.IdempotencyKey);
        if (!string.IsNullOrEmpty(correlationId)) message.Headers.Add("X-Correlation-Id", correlationId);
        using var response = await CallAsync("send", message, ct);
        if (Unavailable(response.StatusCode)) throw Unavailable("send", $"Billing answered {(int)response.StatusCode}.");
        if (!response.IsSuccessStatusCode)
        {
            BillingMetrics.Count("send", "refused");
            return new BillingRejection($"Billing refused the handoff ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(ct)}");
        }
        BillingMetrics.Count("send", "answered");
        return null;
    }

    /// <summary>The handoff billing holds under this key; null when billing says it has none.</summary>
    public async Task<BillingHandoffStatus?> FindAsync(string idempotencyKey, CancellationToken ct)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, new Uri(BillingUrl, $"handoffs/{Uri.EscapeDataString(idempotencyKey)}"));
        using var response = await CallAsync("find", message, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            BillingMetrics.Count("find", "answered");
            return null;
        }
        if (!response.IsSuccessStatusCode) throw Unavailable("find", $"Billing answered {(int)response.StatusCode} when asked for {idempotencyKey}.");
        var status = await response.Content.ReadFromJsonAsync<BillingHandoffStatus>(ct)
                     ?? throw Unavailable("find", $"Billing answered an empty body when asked for {idempotencyKey}.");
        BillingMetrics.Count("find", "answered");
        return status;
    }

    private Uri BillingUrl => settings.BillingUrl ?? throw new BillingUnavailableException("No billing system is configured (Billing:Url).");

    private static BillingUnavailableException Unavailable(string call, string message)
    {
        BillingMetrics.Count(call, "unavailable");
        return new BillingUnavailableException(message);
    }

    private async Task<HttpResponseMessage> CallAsync(string call, HttpRequestMessage message, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.RequestTimeout);
        try
        {
            return await httpClients.CreateClient(HttpClientName).SendAsync(message, timeout.Token);
        }
        catch (HttpRequestException e)
        {
            throw Unavailable(call, $"Billing did not answer: {e.Message}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // A call that outlasts its timeout is billing being unavailable, not a failure of the ledger.
            throw Unavailable(call, $"Billing did not answer within {settings.RequestTimeout.TotalSeconds:0.#} s.");
        }
    }

    private static bool Unavailable(HttpStatusCode status) => (int)status >= 500 || status == HttpStatusCode.TooManyRequests;
}

/// <summary>
/// The billing handoff as durable work (ADR/0012, ADR/0017): send; while billing is unavailable, send again after each of
/// the configured delays; record a refusal as a business failure. When the attempts run out, or the deadline passes without
/// an answer, the ledger asks billing for the handoff by its key before concluding: billing holds it → its acknowledgement
/// is recorded; billing does not, or cannot say → the handoff is unconfirmed (QTC-03). Nothing ends in a silent Requested.
/// Commands sent here use keys derived from the order, so a redelivered message changes nothing twice.
/// </summary>
public static class BillingHandoffHandler
{
    /// <summary>Each handling's outcome is logged under this category, so an operator (and the crash test) can follow one handoff.</summary>
    public const string LogCategory = "Ledger.Billing";

    public static async Task Handle(SendBillingHandoff message, CommandRunner commands, IEventStore store, EventSerializer serializer,
        BillingClient billing, BillingSettings settings, IMessageBus bus, ILoggerFactory logs, CancellationToken ct)
    {
        var log = logs.CreateLogger(LogCategory);
        // Only a read: no command unit (and no transaction) until there is something to decide.
        var (state, events) = await store.LoadAsync(serializer, Streams.Billing(message.OrderId), ct);
        if (!Awaited(state))
        {
            log.LogInformation("Billing handoff {OrderId}, attempt {Attempt}: not sent, the handoff is {Status}", message.OrderId, message.Attempt, state.Status);
            return;
        }
        // Billing gets the correlation id of the command that led here, so one request can be followed across both systems.
        var requested = events.LastOrDefault(e => serializer.TryRead(e, out var read, out _) && read is BillingHandoffRequested);
        var correlationId = requested?.Metadata.CorrelationId;
        // The call joins the trace of the request that led to the handoff (the event carries its traceparent), however the
        // message got here: first send, a retry scheduled minutes later, or a redelivery after a restart.
        using var activity = LedgerTracing.Source.StartActivity("ledger.billing.send", System.Diagnostics.ActivityKind.Internal,
            LedgerTracing.ParentFrom(requested?.Metadata.TraceParent));
        activity?.SetTag("ledger.order.id", message.OrderId);
        activity?.SetTag("ledger.billing.attempt", message.Attempt);
        try
        {
            if (await billing.SendAsync(state.Request!, correlationId, ct) is { } rejection)
            {
                var refused = await commands.RunAsync(CommandMetadata.ByLedger($"billing-rejected-{message.OrderId}"),
                    unit => unit.Decide(Streams.Billing(message.OrderId), _ => new RecordBillingFailure(message.OrderId, rejection.Reason, Retryable: false), ct), Durability.Derived, ct);
                log.LogInformation("Billing handoff {OrderId}, attempt {Attempt}: billing refused it; recorded: {Result}", message.OrderId, message.Attempt, refused.Outcome);
            }
            else log.LogInformation("Billing handoff {OrderId}, attempt {Attempt}: sent, billing took it", message.OrderId, message.Attempt);
        }
        catch (BillingUnavailableException e) when (message.Attempt <= settings.RetryDelays.Count)
        {
            await bus.ScheduleAsync(message with { Attempt = message.Attempt + 1 }, settings.RetryDelays[message.Attempt - 1]);
            log.LogInformation("Billing handoff {OrderId}, attempt {Attempt}: billing unavailable ({Reason}); next attempt in {Delay}",
                message.OrderId, message.Attempt, e.Message, settings.RetryDelays[message.Attempt - 1]);
        }
        catch (BillingUnavailableException e)
        {
            log.LogInformation("Billing handoff {OrderId}, attempt {Attempt}: billing unavailable ({Reason}); attempts used up", message.OrderId, message.Attempt, e.Message);
            await ConcludeAsync(message.OrderId, state.Request!, "attempts", commands, billing, settings, log, ct);
        }
    }

    /// <summary>A fresh round of attempts, sent as its own message.</summary>
    public static SendBillingHandoff Handle(ResendBillingHandoff message) => new(message.OrderId);

    public static async Task Handle(CheckBillingHandoff message, CommandRunner commands, IEventStore store, EventSerializer serializer,
        BillingClient billing, BillingSettings settings, ILoggerFactory logs, CancellationToken ct)
    {
        var log = logs.CreateLogger(LogCategory);
        var state = await store.FoldAsync(serializer, Streams.Billing(message.OrderId), ct);
        if (Awaited(state)) await ConcludeAsync(message.OrderId, state.Request!, "deadline", commands, billing, settings, log, ct);
        else log.LogInformation("Billing handoff {OrderId}, deadline check: nothing to conclude, the handoff is {Status}", message.OrderId, state.Status);
    }

    /// <summary>Requested (or failed in a way worth retrying) and not yet answered.</summary>
    private static bool Awaited(BillingState state) =>
        state.Request is not null && (state.Status == BillingStatus.Requested || state.Status == BillingStatus.Failed && state.LastFailureRetryable);

    private static async Task ConcludeAsync(string orderId, BillingHandoffRequested request, string why, CommandRunner commands, BillingClient billing,
        BillingSettings settings, ILogger log, CancellationToken ct)
    {
        BillingHandoffStatus? held;
        try
        {
            held = await billing.FindAsync(request.IdempotencyKey, ct);
        }
        catch (BillingUnavailableException)
        {
            held = null; // billing cannot say: unconfirmed, and finance sees it
        }
        var concluded = await commands.RunAsync(CommandMetadata.ByLedger($"billing-concluded-{why}-{orderId}"), unit => unit.Decide(Streams.Billing(orderId), _ => held is null
            ? new MarkBillingUnconfirmed(orderId, settings.Timeout)
            : new RecordBillingAcknowledgement(orderId, held.BillingReference, held.Amount, held.Currency), ct), Durability.Derived, ct);
        log.LogInformation("Billing handoff {OrderId}, concluded ({Why}): billing {Holds}; recorded: {Result}",
            orderId, why, held is null ? "holds nothing or cannot say" : $"holds {held.BillingReference}", concluded.Outcome);
    }

}
