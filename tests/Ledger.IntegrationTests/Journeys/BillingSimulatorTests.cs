using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ledger.BillingSimulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Journeys;

/// <summary>
/// The billing simulator on its own, with a stand-in for the ledger that only counts callbacks: what it records,
/// what <c>GET /handoffs/{idempotencyKey}</c> answers, and which modes never call back. No PostgreSQL needed.
/// </summary>
public sealed class BillingSimulatorTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _callbacks = new();
    private WebApplication _simulator = null!;
    private WebApplication _ledger = null!;
    private HttpClient _billing = null!;
    private Uri _ledgerAddress = null!;

    public async Task InitializeAsync()
    {
        _ledgerAddress = new Uri($"http://127.0.0.1:{RunningLedger.FreePort()}/");
        _ledger = WebApplication.CreateBuilder(["--urls", _ledgerAddress.ToString().TrimEnd('/')]).Build();
        _ledger.MapPost("/orders/{orderId}/billing/acknowledgements", (string orderId) =>
        {
            _callbacks.Enqueue(orderId);
            return Results.Ok();
        });
        await _ledger.StartAsync();

        var simulatorAddress = $"http://127.0.0.1:{RunningLedger.FreePort()}";
        _simulator = BillingSimulatorApp.Build(["--urls", simulatorAddress], b => b.Configuration["Billing:LedgerApiKey"] = BillingKey);
        await _simulator.StartAsync();
        _billing = new HttpClient { BaseAddress = new Uri(simulatorAddress + "/") };
    }

    public async Task DisposeAsync()
    {
        _billing.Dispose();
        foreach (var app in new[] { _simulator, _ledger })
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_silent_handoff_is_recorded_and_found_by_its_idempotency_key_without_a_callback()
    {
        var handoff = await Handoff("ord-SILENT", new { mode = "Silent" });
        Assert.Equal(HttpStatusCode.Accepted, handoff.StatusCode);
        var reference = (await handoff.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("billingReference").GetString();

        var found = await _billing.GetAsync("/handoffs/key-ord-SILENT");

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        var status = await found.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("key-ord-SILENT", status.GetProperty("idempotencyKey").GetString());
        Assert.Equal("ord-SILENT", status.GetProperty("orderId").GetString());
        Assert.Equal(reference, status.GetProperty("billingReference").GetString());
        Assert.Equal(2880.00m, status.GetProperty("amount").GetDecimal());
        Assert.Equal("EUR", status.GetProperty("currency").GetString());
        Assert.Equal("BA-ACME-EU", status.GetProperty("billingAccount").GetString());
        Assert.Equal("Invoiced", status.GetProperty("status").GetString());
        await Task.Delay(500); // an acknowledging handoff calls back after 50 ms
        Assert.Empty(_callbacks);
    }

    [Fact]
    public async Task An_unknown_idempotency_key_is_a_404_problem()
    {
        var missing = await _billing.GetAsync("/handoffs/nope");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        var problem = await missing.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Equal("billing.handoff-not-found", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_handoff_answered_503_is_not_recorded()
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Handoff("ord-DOWN", new { mode = "FailRetryable" })).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await _billing.GetAsync("/handoffs/key-ord-DOWN")).StatusCode);
    }

    [Fact]
    public async Task An_acknowledged_handoff_is_found_and_called_back()
    {
        Assert.Equal(HttpStatusCode.Accepted, (await Handoff("ord-ACK", new { mode = "Acknowledge" })).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await _billing.GetAsync("/handoffs/key-ord-ACK")).StatusCode);
        Assert.Equal("ord-ACK", await Eventually(() => Task.FromResult(_callbacks.FirstOrDefault()), c => c is not null));
    }

    [Fact]
    public async Task A_hanging_handoff_is_recorded_at_once_and_answered_202_only_after_the_delay()
    {
        var clock = Stopwatch.StartNew();
        var answer = Handoff("ord-HANG", new { mode = "Hang", delaySeconds = 2 });

        var found = await Eventually(() => _billing.GetAsync("/handoffs/key-ord-HANG"), r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.False(answer.IsCompleted);
        Assert.Equal(HttpStatusCode.Accepted, (await answer).StatusCode);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"answered after {clock.Elapsed}");
        await Task.Delay(300);
        Assert.Empty(_callbacks);
    }

    /// <summary>Tells the simulator how to answer the order, then hands it off as the ledger would (key <c>key-{orderId}</c>).</summary>
    private async Task<HttpResponseMessage> Handoff(string orderId, object scenario)
    {
        (await _billing.PutAsJsonAsync($"/scenarios/{orderId}", scenario)).EnsureSuccessStatusCode();
        return await _billing.PostAsJsonAsync("/handoffs", new
        {
            idempotencyKey = $"key-{orderId}", orderId, amount = 2880.00m, currency = "EUR", billingAccount = "BA-ACME-EU",
            callbackUrl = new Uri(_ledgerAddress, $"orders/{orderId}/billing/acknowledgements"),
        });
    }
}
