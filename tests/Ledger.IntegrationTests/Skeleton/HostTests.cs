using System.Net;
using System.Text.Json;
using Ledger.Testing;
using Xunit;

namespace Ledger.IntegrationTests.Skeleton;

public sealed class HostTests : IAsyncLifetime
{
    private RunningLedger _ledger = null!;

    public async Task InitializeAsync() =>
        _ledger = await RunningLedger.StartAsync(await TestPostgres.CreateDatabaseAsync(nameof(HostTests)));

    public async Task DisposeAsync() => await _ledger.DisposeAsync();

    [Fact]
    public async Task Health_reports_postgres_healthy()
    {
        var response = await _ledger.Http.GetAsync("/health");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Liveness_and_readiness_answer_separately()
    {
        Assert.Equal(HttpStatusCode.OK, (await _ledger.Http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _ledger.Http.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task OpenApi_document_describes_the_endpoints_and_the_docs_page_is_served()
    {
        var document = JsonDocument.Parse(await _ledger.Http.GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/about", out _), "The OpenAPI document has no /about path.");

        // Every command: its problem answers, its required Idempotency-Key, and an example body.
        var draft = paths.GetProperty("/quotes").GetProperty("post");
        foreach (var status in new[] { "400", "401", "403", "409", "422" })
            Assert.True(draft.GetProperty("responses").TryGetProperty(status, out _), $"POST /quotes does not document {status}.");
        Assert.Contains(draft.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key");
        Assert.Equal(1, paths.GetProperty("/contracts/{contractId}/amendments").GetProperty("post").GetProperty("requestBody").GetProperty("content")
            .GetProperty("application/json").GetProperty("example").GetProperty("expectedVersion").GetInt32());
        Assert.Equal("Q-1001", draft.GetProperty("requestBody").GetProperty("content").GetProperty("application/json")
            .GetProperty("example").GetProperty("quoteId").GetString());
        foreach (var path in new[] { "/quotes/{quoteId}/lines", "/approvals/{quoteId}/{revision}/grant", "/quotes/{quoteId}/order",
                     "/orders/{orderId}/billing/acknowledgements", "/customers", "/catalog/versions", "/pricing-policies",
                     "/contracts/{contractId}", "/contracts/{contractId}/amendments", "/contracts/{contractId}/renew", "/contracts/{contractId}/cancel" })
            Assert.True(paths.TryGetProperty(path, out _), $"The OpenAPI document has no {path}.");

        var docs = await _ledger.Http.GetAsync("/docs/v1");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("openapi/v1.json", await docs.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Schema_is_applied_on_start_up()
    {
        // Marten created its tables in the ledger schema while starting (under its advisory lock).
        var about = JsonDocument.Parse(await _ledger.Http.GetStringAsync("/about")).RootElement;
        Assert.Equal(Ledger.Testing.TestEventStore.IsEventStoreDb ? "eventstoredb" : "postgres", about.GetProperty("eventStore").GetString());
        Assert.True(await SchemaTables.CountAsync(_ledger.Services, "ledger") > 0, "No table was created in the ledger schema.");
    }
}
