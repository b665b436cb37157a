using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json.Serialization;

namespace Ledger.BillingSimulator;

/// <summary>
/// The simulated billing system. <c>PUT /scenarios/{orderId}</c> chooses how it answers that order's handoff
/// (default: acknowledge). It de-duplicates handoffs by idempotency key, as real billing systems do, and
/// calls the ledger back at the handoff's callback URL with the API key from <c>Billing:LedgerApiKey</c>.
/// <c>GET /handoffs/{idempotencyKey}</c> answers whether it has a handoff, so a caller that never saw an answer can ask.
/// </summary>
public static class BillingSimulatorApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.Services.AddSingleton<BillingBook>();
        builder.Services.AddHttpClient("ledger");
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        var app = builder.Build();

        app.MapPut("/scenarios/{orderId}", (string orderId, Scenario scenario, BillingBook book) =>
        {
            book.Scenarios[orderId] = scenario;
            return Results.NoContent();
        });

        app.MapPost("/handoffs", async (HandoffRequest handoff, BillingBook book, IHttpClientFactory http, IConfiguration configuration, ILoggerFactory logs,
            HttpRequest request, CancellationToken requestAborted) =>
        {
            var scenario = book.Scenarios.GetValueOrDefault(handoff.OrderId) ?? new Scenario(BillingMode.Acknowledge);
            switch (scenario.Mode)
            {
                case BillingMode.FailRetryable:
                    return Results.Problem(statusCode: 503, title: "billing.unavailable", detail: "The billing system is unavailable.");
                case BillingMode.FailBusiness:
                    return Results.Problem(statusCode: 422, title: "billing.rejected", detail: scenario.FailReason ?? "Billing account is closed.");
                case BillingMode.Lose:
                    return Results.Accepted();
            }

            var invoice = book.Invoices.GetOrAdd(handoff.IdempotencyKey, _ => new Invoice(
                $"INV-{Interlocked.Increment(ref book.Sequence):D6}", handoff.IdempotencyKey, handoff.OrderId,
                handoff.Amount + (scenario.Mode == BillingMode.BillDifferentAmount ? scenario.AmountDelta : 0),
                handoff.Currency, handoff.BillingAccount, request.Headers["X-Correlation-Id"].FirstOrDefault(), handoff.Kind ?? "Order", handoff.ContractId));

            if (scenario.Mode == BillingMode.Hang)
            {
                // The invoice exists before the answer leaves: a caller that gives up waiting finds it by GET /handoffs/{key}.
                await Task.Delay(TimeSpan.FromSeconds(scenario.DelaySeconds), requestAborted);
            }
            else if (scenario.Mode != BillingMode.Silent)
            {
                var answers = scenario.Mode == BillingMode.AnswerTwice ? 2 : 1;
                var delay = TimeSpan.FromSeconds(scenario.Mode == BillingMode.Delay ? scenario.DelaySeconds : 0.05);
                var log = logs.CreateLogger("billing");
                _ = Task.Run(async () =>
                {
                    await Task.Delay(delay);
                    for (var i = 0; i < answers; i++)
                        await CallBackAsync(http.CreateClient("ledger"), configuration["Billing:LedgerApiKey"], handoff, invoice, log);
                });
            }
            return Results.Accepted(value: new { invoice.BillingReference });
        });

        app.MapGet("/handoffs/{idempotencyKey}", (string idempotencyKey, BillingBook book) =>
            book.Invoices.TryGetValue(idempotencyKey, out var invoice)
                ? Results.Ok(HandoffStatus.Of(invoice))
                : Results.Problem(statusCode: 404, title: "billing.handoff-not-found", detail: $"No handoff with idempotency key '{idempotencyKey}'."));

        app.MapGet("/invoices", (BillingBook book) => book.Invoices.Values.OrderBy(i => i.BillingReference));
        return app;
    }

    private static async Task CallBackAsync(HttpClient http, string? apiKey, HandoffRequest handoff, Invoice invoice, ILogger log)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, handoff.CallbackUrl)
        {
            Content = JsonContent.Create(new Acknowledgement(handoff.IdempotencyKey, invoice.BillingReference, invoice.BilledAmount, invoice.Currency)),
        };
        if (apiKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        // Each callback is its own request to the ledger, so each needs its own key; the ledger treats the
        // second one as a duplicate acknowledgement by its billing reference, not by this key.
        request.Headers.Add("Idempotency-Key", $"ack-{invoice.BillingReference}-{Guid.NewGuid():N}");
        try
        {
            using var response = await http.SendAsync(request);
            log.LogInformation("Acknowledged {OrderId} as {Reference}: ledger answered {Status}", handoff.OrderId, invoice.BillingReference, (int)response.StatusCode);
        }
        catch (HttpRequestException e)
        {
            log.LogWarning(e, "Could not call the ledger back for {OrderId}", handoff.OrderId);
        }
    }
}

/// <summary>The simulator's memory: scenarios per order and invoices per idempotency key.</summary>
public sealed class BillingBook
{
    public readonly ConcurrentDictionary<string, Scenario> Scenarios = new();
    public readonly ConcurrentDictionary<string, Invoice> Invoices = new();
    public long Sequence;
}
