using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Text;
using Ledger.Domain.Common;

namespace Ledger.Application.Crm;

/// <summary>
/// Pushes each CRM's recorded changes to its webhook (ADR/0020): per quote, the oldest change not yet acknowledged, signed
/// (<see cref="CrmWebhookSignature"/>); a 2xx moves the quote's cursor on, anything else is tried again after the next delay
/// of the schedule, and when the schedule runs out the quote is dead-lettered (its later changes wait behind it). At least
/// once: a crash between the CRM's 2xx and the cursor's update sends that change again, under a new delivery id.
/// </summary>
public sealed class CrmWebhookDispatcher(
    IDocumentStore documents, CrmWebhookCursors cursors, IHttpClientFactory httpClients, CrmWebhookSettings settings, CrmPushMetrics metrics,
    IClock clock, ILogger<CrmWebhookDispatcher> log)
{
    /// <summary>Quotes delivered to at once, per CRM: each quote's own changes still go one after another.</summary>
    private const int QuotesAtOnce = 4;

    private const int DueAtOnce = 100;

    public async Task RunAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(settings.PollInterval);
        do
        {
            try
            {
                await DeliverDueAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogWarning("CRM webhook deliveries wait for the next round: {Error}", e.Message);
            }
        } while (await timer.WaitForNextTickAsync(ct));
    }

    private async Task DeliverDueAsync(CancellationToken ct)
    {
        IReadOnlyList<CrmWebhookSubscription> subscriptions;
        await using (var session = documents.QuerySession())
            subscriptions = await session.Query<CrmWebhookSubscription>().ToListAsync(ct);
        foreach (var subscription in subscriptions)
        {
            var due = await cursors.DueAsync(subscription.Id, subscription.StartAfter, clock.GetCurrentInstant(), DueAtOnce, ct);
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = QuotesAtOnce, CancellationToken = ct },
                (delivery, token) => new ValueTask(DeliverAsync(subscription, delivery, token)));
        }
    }

    private async Task DeliverAsync(CrmWebhookSubscription subscription, DueDelivery delivery, CancellationToken ct)
    {
        var attempt = delivery.Attempts + 1;
        var deliveryId = Guid.NewGuid();
        // A child of the span that appended the change's event (ADR/0025), however much later and on whichever node it is
        // sent: the POST's traceparent (HttpClient's propagation) then continues the command's trace into the CRM.
        using var activity = LedgerTracing.Source.StartActivity("ledger.crm.webhook", ActivityKind.Internal, LedgerTracing.ParentFrom(delivery.TraceParent));
        activity?.SetTag("ledger.crm", subscription.Id);
        activity?.SetTag("ledger.quote_id", delivery.QuoteId);
        activity?.SetTag("ledger.position", delivery.Position);
        activity?.SetTag("ledger.delivery_id", deliveryId.ToString());
        activity?.SetTag("ledger.attempt", attempt);
        var body = Envelope(deliveryId, attempt, delivery.Document);
        var error = await SendAsync(subscription, deliveryId, body, ct);
        if (error is null)
        {
            await cursors.AcknowledgedAsync(subscription.Id, delivery, ct);
            metrics.Delivered(subscription.Id, "acknowledged");
            return;
        }
        activity?.SetStatus(ActivityStatusCode.Error, error);
        var now = clock.GetCurrentInstant();
        Instant? retryAt = attempt <= settings.RetryDelays.Count ? now + Duration.FromTimeSpan(settings.RetryDelays[attempt - 1]) : null;
        await cursors.FailedAsync(subscription.Id, subscription.StartAfter, delivery, error, retryAt, now, ct);
        metrics.Delivered(subscription.Id, retryAt is null ? "dead-lettered" : "failed");
        if (retryAt is null)
            log.LogError("Webhook delivery to {Crm} of quote {QuoteId}'s change at {Position} failed {Attempts} times ({Error}); dead-lettered, its later changes wait.",
                subscription.Id, delivery.QuoteId, delivery.Position, attempt, error);
        else
            log.LogWarning("Webhook delivery to {Crm} of quote {QuoteId}'s change at {Position} failed (attempt {Attempt}: {Error}); again at {RetryAt}.",
                subscription.Id, delivery.QuoteId, delivery.Position, attempt, error, retryAt);
    }

    /// <summary>Null when the CRM acknowledged (2xx); otherwise why not, in words fit for the dead-letter list (never the secret).</summary>
    private async Task<string?> SendAsync(CrmWebhookSubscription subscription, Guid deliveryId, byte[] body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(CrmWebhookSignature.Header, CrmWebhookSignature.Sign(subscription.Secret, clock.GetCurrentInstant().ToUnixTimeSeconds(), body));
        request.Headers.Add(CrmWebhookSignature.DeliveryIdHeader, deliveryId.ToString());
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.RequestTimeout);
        try
        {
            using var response = await httpClients.CreateClient(CrmWebhookSettings.HttpClientName).SendAsync(request, timeout.Token);
            return response.IsSuccessStatusCode ? null : $"the CRM answered {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"no answer within {settings.RequestTimeout.TotalSeconds:0.#} s";
        }
        catch (HttpRequestException e)
        {
            return $"could not reach the CRM: {e.Message}";
        }
    }

    /// <summary>What is posted: the delivery (its id and attempt, signed with it) around the change document as recorded.</summary>
    private byte[] Envelope(Guid deliveryId, int attempt, string document)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("deliveryId", deliveryId);
            json.WriteNumber("attempt", attempt);
            json.WriteString("sentAt", InstantPattern.ExtendedIso.Format(clock.GetCurrentInstant()));
            json.WritePropertyName("change");
            json.WriteRawValue(Encoding.UTF8.GetBytes(document));
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
