using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Ledger.IntegrationTests.Journeys;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Api;

/// <summary>
/// One trace from a CRM's request to the billing system: the HTTP request, the command, its append, the reaction to the
/// appended event (a later, separate loop over the log), and the billing POST, which carries the W3C traceparent that
/// the billing system (the simulator, in this process) continues.
/// </summary>
public sealed class TracingTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;
    private readonly ConcurrentQueue<Activity> _finished = new();
    private ActivityListener? _listener;
    private readonly ActivityTraceId _trace = ActivityTraceId.CreateRandom();
    private int _seen;

    public async Task InitializeAsync()
    {
        // Everything this process traces, kept when it belongs to this test's trace (other tests run beside it).
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                Interlocked.Increment(ref _seen);
                if (a.TraceId == _trace) _finished.Enqueue(a);
            },
        };
        ActivitySource.AddActivityListener(_listener);
        _world = await StartAsync(nameof(TracingTests));
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync()
    {
        _listener?.Dispose();
        await _world.DisposeAsync();
    }

    [Fact]
    public async Task One_trace_spans_the_order_request_its_append_the_reaction_and_the_billing_post()
    {
        var sf = _world.Salesforce;
        (await Post(sf, "/quotes", QuoteToCashJourneyTests.Draft("Q-TRACE", "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(sf, "/quotes/Q-TRACE/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 1, discountPercent = 0 })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-TRACE/price", new { })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-TRACE/submit")).EnsureAccepted();
        await _world.ReactionsSettledAsync();
        (await Post(sf, "/quotes/Q-TRACE/send", new { documentHash = "sha256:doc" })).EnsureAccepted();
        (await Post(sf, "/quotes/Q-TRACE/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana" })).EnsureAccepted();

        // The CRM's own trace: its HTTP client sends the traceparent, and everything that follows must continue this trace.
        using (new Activity("crm.order").SetParentId(_trace, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded).Start())
        {
            using var order = new HttpRequestMessage(HttpMethod.Post, "/quotes/Q-TRACE/order") { Content = JsonContent.Create(new { billingAccount = "BA-1" }) };
            order.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            (await sf.SendAsync(order)).EnsureAccepted();
        }

        // A span is seen when it ends: the billing server's ends before the ledger's POST and send spans around it do.
        var spans = await Eventually(() => Task.FromResult(_finished.ToList()),
            s => BillingServerSpan(s) is { } server && s.Any(x => x.SpanId == server.ParentSpanId) && s.Any(x => x.OperationName == "ledger.billing.send"),
            TimeSpan.FromMinutes(2));
        string Names() => $"{_seen} span(s) seen, {spans.Count} in this trace:\n" + string.Join("\n", spans.Select(s => $"{s.Source.Name} {s.Kind} {s.DisplayName} {s.SpanId} <- {s.ParentSpanId}"));

        var request = spans.SingleOrDefault(s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("/quotes/{quoteId}/order"));
        Assert.True(request is not null, Names());
        Assert.Contains(spans, s => s.OperationName == "ledger.command" && s.ParentSpanId == request!.SpanId);
        var append = spans.FirstOrDefault(s => s.OperationName == "ledger.append" && (s.GetTagItem("ledger.stream") as string) == "order-ord-Q-TRACE");
        Assert.True(append is not null, Names());
        var reaction = spans.FirstOrDefault(s => s.OperationName == "ledger.reaction" && s.ParentSpanId == append!.SpanId);
        Assert.True(reaction is not null, Names());
        var send = spans.FirstOrDefault(s => s.OperationName == "ledger.billing.send");
        Assert.True(send is not null, Names());
        var post = spans.SingleOrDefault(s => s.Kind == ActivityKind.Client && s.ParentSpanId == send!.SpanId);
        Assert.True(post is not null, Names());
        // The billing system received the traceparent of the ledger's POST: its server span is that POST's child.
        Assert.Equal(post!.SpanId, BillingServerSpan(spans)!.ParentSpanId);

        // The event the reaction followed carries the trace, so a reaction on another node (or after a restart) joins it too.
        var placed = (await _world.StreamAsync("order-ord-Q-TRACE"))[0].Event;
        Assert.Contains(_trace.ToString(), placed.Metadata.TraceParent);
    }

    [Fact]
    public async Task A_webhook_delivery_is_a_child_of_the_span_that_appended_its_event_and_carries_the_trace_to_the_crm()
    {
        const string secret = "whsec-salesforce-0123456789abcdef";
        await using var receiver = await Crm.CrmWebhookReceiver.StartAsync(secret);
        (await Post(_world.Admin, "/crm/salesforce/webhook", new { url = receiver.Url.ToString(), secret })).EnsureAccepted();

        // The CRM's own trace again: the draft it sends starts it, and the push of the change it made must continue it.
        using (new Activity("crm.draft").SetParentId(_trace, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded).Start())
        {
            using var draft = new HttpRequestMessage(HttpMethod.Post, "/quotes") { Content = JsonContent.Create(QuoteToCashJourneyTests.Draft("Q-TRACE-WH", "EUR", "Europe/Berlin")) };
            draft.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            (await _world.Salesforce.SendAsync(draft)).EnsureAccepted();
        }

        var drafted = (await Eventually(() => Task.FromResult(receiver.Accepted), a => a.Any(c => c.QuoteId == "Q-TRACE-WH"), TimeSpan.FromMinutes(2)))
            .First(c => c.QuoteId == "Q-TRACE-WH");
        Assert.Equal("quote-drafted.v1", drafted.Type);
        Assert.True(ActivityContext.TryParse(drafted.TraceParent, null, out var received), $"traceparent '{drafted.TraceParent}'");
        Assert.Equal(_trace, received.TraceId);

        // Spans are seen when they end: the delivery's own ends after the CRM answered and the cursor moved on.
        bool Delivered(List<Activity> s) => s.Any(x => x.Kind == ActivityKind.Client && x.SpanId == received.SpanId) &&
                                            s.Any(x => x.OperationName == "ledger.crm.webhook" && (x.GetTagItem("ledger.quote_id") as string) == "Q-TRACE-WH");
        var spans = await Eventually(() => Task.FromResult(_finished.ToList()), Delivered, TimeSpan.FromMinutes(1));
        string Names() => $"{_seen} span(s) seen, {spans.Count} in this trace:\n" + string.Join("\n", spans.Select(s => $"{s.Source.Name} {s.Kind} {s.DisplayName} {s.SpanId} <- {s.ParentSpanId}"));
        var append = spans.FirstOrDefault(s => s.OperationName == "ledger.append" && (s.GetTagItem("ledger.stream") as string) == "quote-Q-TRACE-WH");
        Assert.True(append is not null, Names());
        var delivery = spans.FirstOrDefault(s => s.OperationName == "ledger.crm.webhook" && (s.GetTagItem("ledger.quote_id") as string) == "Q-TRACE-WH");
        Assert.True(delivery is not null, Names());
        Assert.Equal(append!.SpanId, delivery!.ParentSpanId);
        // The CRM received the traceparent of the delivery's POST, a child of the delivery's span.
        var post = spans.Single(s => s.Kind == ActivityKind.Client && s.SpanId == received.SpanId);
        Assert.Equal(delivery.SpanId, post.ParentSpanId);
    }

    private static Activity? BillingServerSpan(IEnumerable<Activity> spans) =>
        spans.FirstOrDefault(s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("/handoffs"));
}
