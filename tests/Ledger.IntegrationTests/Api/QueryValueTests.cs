using System.Net;
using System.Text.Json;
using Ledger.Api.Problems;
using Ledger.IntegrationTests.Journeys;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Api;

/// <summary>
/// Typed query parameters over real HTTP: a value that does not parse is a 400 problem in the ledger's shape naming the
/// parameter (Wolverine's <c>RejectUnparseableQueryValues</c>, shaped by <see cref="QueryValueProblems"/>), never a
/// silently bound default; values that parse are bound and answered as before.
/// </summary>
public sealed class QueryValueTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        _world = await StartAsync(nameof(QueryValueTests));
        await _world.PublishCatalogAndPolicyAsync();
        (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft("Q-QUERY", "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(_world.Salesforce, "/quotes/Q-QUERY/lines",
            new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 2, discountPercent = 0 })).EnsureAccepted();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    /// <summary>(who asks, the path and query, the parameter that does not parse).</summary>
    private (HttpClient Client, string Path, string Parameter)[] Unparseable =>
    [
        (_world.Finance, "/reconciliation/discrepancies?page=abc", "page"),
        (_world.Finance, "/reconciliation/discrepancies?pageSize=ten", "pageSize"),
        (_world.Finance, "/reconciliation/discrepancies?status=open&minAgeHours=soon", "minAgeHours"),
        (_world.Salesforce, "/crm/salesforce/quotes?page=abc", "page"),
        (_world.Salesforce, "/crm/salesforce/quotes?status=Bogus", "status"),
        (_world.Salesforce, "/crm/salesforce/quotes?page=1&pageSize=1.5", "pageSize"),
        (_world.Approver, "/approvals/queue?level=Boss", "level"),
        (_world.Approver, "/approvals/queue?page=%27%3B%20drop%20table", "page"),
        (_world.Auditor, "/quotes/Q-QUERY/timeline?after=-1", "after"),
        (_world.Auditor, "/quotes/Q-QUERY/timeline?limit=many", "limit"),
        (_world.Auditor, "/quotes/Q-QUERY/timeline?limit=99999999999999999999", "limit"),
    ];

    [Fact]
    public async Task A_query_value_that_does_not_parse_is_a_400_problem_in_the_ledgers_shape_naming_the_parameter()
    {
        var failures = new List<string>();
        foreach (var (client, path, parameter) in Unparseable)
        {
            var response = await client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            var why = Problem(response, body, parameter);
            if (why is not null) failures.Add($"GET {path}: {why}\n    {(int)response.StatusCode} {body}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>ASP.NET's own problem writer declines a client that accepts no JSON; the ledger's shape must not depend on it.</summary>
    [Theory]
    [InlineData("/reconciliation/discrepancies?page=abc", "page", "text/csv")]
    [InlineData("/crm/salesforce/quotes?status=Bogus", "status", "text/html")]
    public async Task An_unparseable_value_gets_the_same_problem_whatever_the_client_accepts(string path, string parameter, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Accept", accept);
        var response = await (path.StartsWith("/crm/", StringComparison.Ordinal) ? _world.Salesforce : _world.Finance).SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(Problem(response, body, parameter) is null, $"{Problem(response, body, parameter)}: {(int)response.StatusCode} {body}");
    }

    [Fact]
    public async Task Values_that_parse_are_bound_not_defaulted()
    {
        var discrepancies = await Ok(_world.Finance, "/reconciliation/discrepancies?status=all&minAgeHours=1.5&page=2&pageSize=7");
        Assert.Equal(2, discrepancies.GetProperty("page").GetInt32());
        Assert.Equal(7, discrepancies.GetProperty("pageSize").GetInt32());

        var quotes = await Ok(_world.Salesforce, "/crm/salesforce/quotes?status=Draft&page=3&pageSize=5");
        Assert.Equal(3, quotes.GetProperty("page").GetInt32());
        Assert.Equal(5, quotes.GetProperty("pageSize").GetInt32());

        var queue = await Ok(_world.Approver, "/approvals/queue?level=DealDesk&page=1&pageSize=4");
        Assert.Equal(4, queue.GetProperty("pageSize").GetInt32());

        // Two events (drafted, line added): a limit of 1 is one entry and a next page after it.
        var first = await Ok(_world.Auditor, "/quotes/Q-QUERY/timeline?limit=1&after=0");
        Assert.Single(first.GetProperty("entries").EnumerateArray());
        var nextAfter = first.GetProperty("nextAfter").GetUInt64();
        var second = await Ok(_world.Auditor, $"/quotes/Q-QUERY/timeline?limit=1&after={nextAfter}");
        Assert.Single(second.GetProperty("entries").EnumerateArray());
        Assert.NotEqual(first.GetProperty("entries")[0].GetProperty("position").GetUInt64(), second.GetProperty("entries")[0].GetProperty("position").GetUInt64());

        // Absent values keep their defaults, as before.
        Assert.Equal(1, (await Ok(_world.Finance, "/reconciliation/discrepancies")).GetProperty("page").GetInt32());
        Assert.Equal(50, (await Ok(_world.Salesforce, "/crm/salesforce/quotes")).GetProperty("pageSize").GetInt32());
    }

    /// <summary>Why the answer is not the ledger's 400 problem naming <paramref name="parameter"/>, or null when it is.</summary>
    private static string? Problem(HttpResponseMessage response, string body, string parameter)
    {
        if (response.StatusCode != HttpStatusCode.BadRequest) return "not 400";
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") return "not application/problem+json";
        JsonElement problem;
        try { problem = JsonDocument.Parse(body).RootElement; }
        catch (JsonException) { return "not JSON"; }
        string? Text(string name) => problem.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        if (Text("code") != QueryValueProblems.Code) return $"code is not {QueryValueProblems.Code}";
        if (Text("type") != LedgerProblems.TypePrefix + QueryValueProblems.Code) return "type is not the code's";
        if (Text("title") != QueryValueProblems.Code) return "title is not the code";
        if (Text("field") != parameter) return $"field is not {parameter}";
        if (Text("detail") is not { } detail || !detail.Contains($"'{parameter}'", StringComparison.Ordinal)) return "detail does not name the parameter";
        if (problem.TryGetProperty("parameter", out _)) return "Wolverine's own 'parameter' member is still there";
        foreach (var internalName in new[] { "System.", "Ledger.", "Nullable", "Int32", "Int64", "UInt64", "Double" })
            if (body.Contains(internalName, StringComparison.Ordinal)) return $"names an internal type ({internalName})";
        return null;
    }

    private static async Task<JsonElement> Ok(HttpClient client, string path)
    {
        var response = (await client.GetAsync(path)).EnsureAccepted();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Json();
    }
}
