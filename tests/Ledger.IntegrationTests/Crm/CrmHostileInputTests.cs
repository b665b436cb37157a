using System.Net;
using Ledger.IntegrationTests.Journeys;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Crm;

/// <summary>Hostile ids in the paths and bodies of the CRM push and read endpoints: refused as problems, never a 5xx, never an internal type name.</summary>
public sealed class CrmHostileInputTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync() => _world = await StartAsync(nameof(CrmHostileInputTests));

    public async Task DisposeAsync() => await _world.DisposeAsync();

    public static readonly string[] HostileIds = ["%00", "a%00b", "%27%3B%20drop%20table%20x%3B--", new string('x', 5000), "%E2%80%AE", "%0D%0A"];

    [Fact]
    public async Task No_hostile_id_in_a_path_answers_5xx_or_names_an_internal_type()
    {
        var wrong = new List<string>();
        foreach (var id in HostileIds)
        {
            foreach (var (method, path) in new[]
                     {
                         ("GET", $"/crm/{id}/changes"), ("POST", $"/crm/{id}/webhook"), ("GET", $"/crm/{id}/webhook"), ("GET", $"/crm/{id}/webhook/dead-letters"),
                         ("POST", $"/crm/{id}/webhook/dead-letters/{id}/replay"), ("POST", $"/crm/salesforce/webhook/dead-letters/{id}/replay"),
                         ("POST", $"/crm/{id}/webhook/replay"), ("GET", $"/customers/{id}"), ("GET", $"/crm/{id}/accounts/{id}/customer"),
                         ("GET", $"/orders/{id}"), ("GET", $"/catalog/versions/{id}"),
                     })
            {
                var response = method == "GET" ? await _world.Admin.GetAsync(path)
                    : await Post(_world.Admin, path, new { url = "https://crm.example/hooks", secret = "0123456789abcdef0123", after = 0 });
                var body = await response.Content.ReadAsStringAsync();
                if ((int)response.StatusCode >= 500 || body.Contains("Ledger.") || body.Contains("Npgsql") || body.Contains("Marten"))
                    wrong.Add($"{method} {path[..Math.Min(path.Length, 80)]}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 200)]}");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public async Task A_webhook_secret_or_url_with_control_characters_or_injection_is_a_400_and_stores_nothing()
    {
        foreach (var body in new object[]
                 {
                     new { url = "https://crm.example/hooks\u0000", secret = "0123456789abcdef0123" },
                     new { url = "javascript:alert(1)", secret = "0123456789abcdef0123" },
                     new { url = "https://crm.example/hooks", secret = "0123456789abcdef\u0000123" },
                     new { url = "https://crm.example/" + new string('a', 3000), secret = "0123456789abcdef0123" },
                     new { url = "https://crm.example/hooks", secret = new string('s', 300) },
                 })
        {
            var response = await Post(_world.Admin, "/crm/salesforce/webhook", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await _world.Admin.GetAsync("/crm/salesforce/webhook")).StatusCode);
    }
}
