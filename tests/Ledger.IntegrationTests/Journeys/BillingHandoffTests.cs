using System.Net;
using System.Net.Http.Json;
using System.Collections.Concurrent;
using System.Text.Json;
using Ledger.Api.EventStore;
using Ledger.EventStore;
using Ledger.EventStore.Writing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// The asynchronous billing handoff against each behaviour of the billing simulator. Billing's deadline is 3 s here, a
/// call may take 1 s, and an unavailable billing system is tried again after 0.5 s, 1 s and 1.5 s, so every way a
/// handoff can go wrong reaches its end quickly: acknowledged, failed, or unconfirmed, never a silent Requested.
/// </summary>
public sealed class BillingHandoffTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;
    private readonly ConcurrentQueue<(Durability Durability, string? Client, string StreamId)> _appends = new();

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(BillingHandoffTests), billingTimeoutSeconds: 3,
            services: s => s.AddSingleton<IWriteSessions>(sp => new WatchedWriteSessions(EventStoreRegistration.CreateWriteSessions(sp), _appends)),
            settings: new Dictionary<string, string?>
        {
            ["Billing:RequestTimeoutSeconds"] = "1",
            ["Billing:RetryDelaysSeconds"] = "0.5,1,1.5",
        });
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    [Fact]
    public async Task A_business_refusal_is_recorded_as_a_failure_that_is_not_retried_and_the_order_stays_open()
    {
        var orderId = await OrderWithScenario("Q-BILL-REFUSED", new { mode = "FailBusiness", failReason = "Billing account BA-CLOSED is closed" });
        var billing = await Eventually(() => _world.StreamAsync($"billing-{orderId}"), e => e.Any(x => x.Type == "billing-handoff-failed.v1"));

        var failed = billing.Single(e => e.Type == "billing-handoff-failed.v1").Data;
        Assert.False(failed.GetProperty("retryable").GetBoolean());
        Assert.Contains("BA-CLOSED is closed", failed.GetProperty("reason").GetString());
        Assert.Equal(["order-placed.v2"], (await _world.StreamAsync($"order-{orderId}")).Select(e => e.Type));
    }

    [Fact]
    public async Task A_handoff_billing_lost_is_unconfirmed_at_its_deadline_and_a_late_acknowledgement_still_reconciles()
    {
        var orderId = await OrderWithScenario("Q-BILL-LOST", new { mode = "Lose" });

        // At the deadline the ledger asks billing for the handoff by its key; billing has none, so it is unconfirmed (QTC-03).
        var billing = await Eventually(() => _world.StreamAsync($"billing-{orderId}"), e => e.Any(x => x.Type == "billing-handoff-timed-out.v1"));
        Assert.Equal(["billing-handoff-requested.v3", "billing-handoff-timed-out.v1"], billing.Select(e => e.Type));

        (await Post(_world.Billing, $"/orders/{orderId}/billing/acknowledgements",
            new { billingReference = "INV-LATE-1", billedAmount = billing[0].Data.GetProperty("amount").GetDecimal(), currency = "EUR" })).EnsureAccepted();
        billing = await _world.StreamAsync($"billing-{orderId}");
        Assert.True(billing[2].Data.GetProperty("afterTimeout").GetBoolean());
        // Up to the third retry (30 s after the second by default) if the scenario changed after the second attempt.
        var order = await Eventually(() => _world.StreamAsync($"order-{orderId}"), e => e.Any(x => x.Type == "order-closed.v1"), TimeSpan.FromMinutes(2));
        Assert.Equal("order-closed.v1", order[^1].Type);
    }

    [Fact]
    public async Task A_handoff_billing_holds_but_never_answered_is_acknowledged_from_billings_own_record_at_the_deadline()
    {
        var orderId = await OrderWithScenario("Q-BILL-SILENT", new { mode = "Silent" });

        var billing = await Eventually(() => _world.StreamAsync($"billing-{orderId}"), e => e.Any(x => x.Type == "billing-handoff-acknowledged.v1"));
        Assert.Equal(["billing-handoff-requested.v3", "billing-handoff-acknowledged.v1"], billing.Select(e => e.Type));
        var invoice = await (await _world.BillingSystem.GetAsync($"/handoffs/billing-{orderId}")).EnsureAccepted().Json();
        Assert.Equal(invoice.GetProperty("billingReference").GetString(), billing[1].Data.GetProperty("billingReference").GetString());
        Assert.Equal("order-closed.v1", (await Eventually(() => _world.StreamAsync($"order-{orderId}"), e => e.Any(x => x.Type == "order-closed.v1")))[^1].Type);
    }

    [Fact]
    public async Task A_call_that_outlasts_its_timeout_counts_as_billing_unavailable_and_is_sent_again()
    {
        // Billing holds the first call's answer for 30 s; the ledger gives up after 1 s and tries again, by then answered at once.
        var orderId = await OrderWithScenario("Q-BILL-HANG", new { mode = "Hang", delaySeconds = 30 });
        await Eventually(() => _world.BillingSystem.GetAsync($"/handoffs/billing-{orderId}"), r => r.IsSuccessStatusCode);
        (await _world.BillingSystem.PutAsJsonAsync($"/scenarios/{orderId}", new { mode = "Acknowledge" })).EnsureSuccessStatusCode();

        // Up to the third retry (30 s after the second by default) if the scenario changed after the second attempt.
        var order = await Eventually(() => _world.StreamAsync($"order-{orderId}"), e => e.Any(x => x.Type == "order-closed.v1"), TimeSpan.FromMinutes(2));
        Assert.Equal("order-closed.v1", order[^1].Type);
        Assert.Equal(["billing-handoff-requested.v3", "billing-handoff-acknowledged.v1"], (await _world.StreamAsync($"billing-{orderId}")).Select(e => e.Type));
    }

    [Fact]
    public async Task When_every_attempt_finds_billing_unavailable_the_handoff_ends_unconfirmed_and_finance_sees_it()
    {
        var orderId = await OrderWithScenario("Q-BILL-DOWN", new { mode = "FailRetryable" });

        var billing = await Eventually(() => _world.StreamAsync($"billing-{orderId}"), e => e.Any(x => x.Type == "billing-handoff-timed-out.v1"));
        Assert.Equal(["billing-handoff-requested.v3", "billing-handoff-timed-out.v1"], billing.Select(e => e.Type));
        var open = await Eventually(async () => await (await _world.Finance.GetAsync("/reconciliation/discrepancies?rule=QTC-03")).EnsureAccepted().Json(),
            list => list.ToString().Contains("Q-BILL-DOWN"));
        Assert.Contains("Q-BILL-DOWN", open.ToString());
    }

    [Fact]
    public async Task A_duplicate_acknowledgement_is_harmless()
    {
        var orderId = await OrderWithScenario("Q-BILL-TWICE", new { mode = "AnswerTwice" });
        await Eventually(() => _world.StreamAsync($"order-{orderId}"), e => e.Any(x => x.Type == "order-closed.v1"));
        await Task.Delay(500); // let the second callback arrive (it is answered 200 with no events)

        var billing = await _world.StreamAsync($"billing-{orderId}");
        Assert.Single(billing, e => e.Type == "billing-handoff-acknowledged.v1");
        Assert.DoesNotContain(billing, e => e.Type is "billing-amount-mismatch-detected.v1" or "billing-duplicate-invoice-detected.v1");
    }

    [Fact]
    public async Task A_different_billed_amount_is_recorded_as_a_discrepancy()
    {
        var orderId = await OrderWithScenario("Q-BILL-AMOUNT", new { mode = "BillDifferentAmount", amountDelta = 120.50m });
        var billing = await Eventually(() => _world.StreamAsync($"billing-{orderId}"), e => e.Any(x => x.Type == "billing-amount-mismatch-detected.v1"));

        var mismatch = billing.Single(e => e.Type == "billing-amount-mismatch-detected.v1").Data;
        Assert.Equal(mismatch.GetProperty("expectedAmount").GetDecimal() + 120.50m, mismatch.GetProperty("billedAmount").GetDecimal());
    }

    [Fact]
    public async Task An_unavailable_billing_system_is_retried_until_it_answers()
    {
        var orderId = await OrderWithScenario("Q-BILL-RETRY", new { mode = "FailRetryable" });
        await Task.Delay(1500); // at least one attempt is answered 503 and rescheduled
        (await _world.BillingSystem.PutAsJsonAsync($"/scenarios/{orderId}", new { mode = "Acknowledge" })).EnsureSuccessStatusCode();

        // Up to the third retry (30 s after the second by default) if the scenario changed after the second attempt.
        var order = await Eventually(() => _world.StreamAsync($"order-{orderId}"), e => e.Any(x => x.Type == "order-closed.v1"), TimeSpan.FromMinutes(2));
        Assert.Equal("order-closed.v1", order[^1].Type);
        Assert.Single(await _world.StreamAsync($"billing-{orderId}"), e => e.Type == "billing-handoff-acknowledged.v1");
    }

    [Fact]
    public async Task The_billing_system_answers_for_the_ledgers_handoff_by_its_idempotency_key_and_knows_its_correlation_id()
    {
        var orderId = await OrderWithScenario("Q-BILL-STATUS", new { mode = "Silent" });
        var billing = await Eventually(() => _world.StreamAsync($"billing-{orderId}"), e => e.Any(x => x.Type == "billing-handoff-requested.v3"));
        var requested = billing.Single(e => e.Type == "billing-handoff-requested.v3").Data;
        var key = requested.GetProperty("idempotencyKey").GetString()!;

        var found = await Eventually(() => _world.BillingSystem.GetAsync($"/handoffs/{Uri.EscapeDataString(key)}"), r => r.IsSuccessStatusCode);

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var status = await found.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(orderId, status.GetProperty("orderId").GetString());
        Assert.Equal(requested.GetProperty("amount").GetDecimal(), status.GetProperty("amount").GetDecimal());
        // The call carried the correlation id of the command that placed the order, through the reactions in between.
        var placed = (await _world.StreamAsync($"order-{orderId}")).First(e => e.Type.StartsWith("order-placed", StringComparison.Ordinal)).Event;
        Assert.False(string.IsNullOrEmpty(placed.Metadata.CorrelationId));
        Assert.Equal(placed.Metadata.CorrelationId, status.GetProperty("correlationId").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _world.BillingSystem.GetAsync("/handoffs/no-such-key")).StatusCode);
    }

    /// <summary>An accepted Salesforce quote (within policy) ordered after the billing simulator was told how to answer.</summary>
    [Fact]
    public async Task The_ledgers_own_billing_commands_commit_without_waiting_for_the_flush_and_the_clients_order_waits()
    {
        // Billing keeps the handoff without answering: at the deadline the check handler records billing's own record.
        var orderId = await OrderWithScenario("Q-BILL-DURABLE", new { mode = "Silent" });
        await Eventually(() => _world.StreamAsync($"billing-{orderId}"), e => e.Any(x => x.Type == "billing-handoff-acknowledged.v1"));

        var appends = _appends.ToArray();
        // The client's command is acknowledged to it: its commit waits for the flush (ADR/0027).
        Assert.Equal(Durability.Acknowledged, appends.Single(a => a.StreamId == $"order-{orderId}" && a.Client == "salesforce").Durability);
        // The reaction that requested the handoff, and the handler that concluded it from a message the log caused: both
        // are redone from the log or from Wolverine's inbox after a crash, so neither waits (nor does the order's closing).
        var billingAppends = appends.Where(a => a.StreamId == $"billing-{orderId}").ToList();
        Assert.Equal(2, billingAppends.Count);
        Assert.All(appends.Where(a => a.StreamId.EndsWith(orderId, StringComparison.Ordinal) && a.Client != "salesforce"),
            a => Assert.Equal(Durability.Derived, a.Durability));
    }

    /// <summary>The host's own write sessions, noting for every committed append how its session commits and whose answer it stores.</summary>
    private sealed class WatchedWriteSessions(IWriteSessions inner, ConcurrentQueue<(Durability, string?, string)> appends) : IWriteSessions
    {
        public IWriteSession Open(AnswerKey? key, Durability durability) => new Watched(inner.Open(key, durability), key?.Client, durability, appends);

        /// <summary>None: every reaction then runs alone, through <see cref="Open"/>, where its durability is watched.</summary>
        public IWriteGroup? OpenGroup() => null;

        private sealed class Watched(IWriteSession inner, string? client, Durability durability, ConcurrentQueue<(Durability, string?, string)> appends) : IWriteSession
        {
            public Task<StoredAnswer?> FindAnswerAsync(CancellationToken ct) => inner.FindAnswerAsync(ct);
            public Task<StreamSnapshot> ReadAsync(string streamId, bool forWrite, CancellationToken ct) => inner.ReadAsync(streamId, forWrite, ct);
            public Task<IReadOnlyList<RecordedEvent>> ReadNewAsync(string streamId, long afterRevision, CancellationToken ct) => inner.ReadNewAsync(streamId, afterRevision, ct);
            public Task<System.Data.Common.DbTransaction> TransactionAsync(CancellationToken ct) => inner.TransactionAsync(ct);
            public ValueTask DisposeAsync() => inner.DisposeAsync();

            private readonly List<string> _appended = [];

            public async Task<AppendResult.Success> AppendAsync(StreamSnapshot read, IReadOnlyList<EventToAppend> events, CancellationToken ct)
            {
                var appended = await inner.AppendAsync(read, events, ct);
                _appended.Add(read.StreamId);
                return appended;
            }

            /// <summary>Only what committed counts: an attempt that lost its race runs again in a new session.</summary>
            public async Task CommitAsync(StoredAnswer? answer, CancellationToken ct)
            {
                await inner.CommitAsync(answer, ct);
                foreach (var stream in _appended) appends.Enqueue((durability, client, stream));
            }
        }
    }

    private async Task<string> OrderWithScenario(string quoteId, object scenario)
    {
        var orderId = $"ord-{quoteId}";
        (await _world.BillingSystem.PutAsJsonAsync($"/scenarios/{orderId}", scenario)).EnsureSuccessStatusCode();
        var sf = _world.Salesforce;
        (await Post(sf, "/quotes", QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/lines", new { lineId = "L1", productOfferingId = "SUPPORT-24", catalogVersion = "2026.1", quantity = 12, discountPercent = 0 })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/price", new { })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/submit")).EnsureAccepted();
        await _world.ReactionsSettledAsync();
        (await Post(sf, $"/quotes/{quoteId}/send", new { documentHash = "sha256:doc" })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/accept", new { revision = 1, acceptanceType = "signature", signer = "Dana Whitfield" })).EnsureAccepted();
        (await Post(sf, $"/quotes/{quoteId}/order", new { billingAccount = "BA-ACME-EU" })).EnsureAccepted();
        return orderId;
    }
}
