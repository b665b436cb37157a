using System.Net;
using Ledger.IntegrationTests.Journeys;
using Ledger.Testing;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Api;

/// <summary>
/// EventStoreDB takes at most <c>MaxAppendSize</c> bytes in one append (1 MiB unless started otherwise). The ledger knows the
/// limit (<c>maxAppendSize</c> in its connection string, ADR/0006) and refuses a command whose events exceed it with 413
/// problem details, before anything is appended. Runs when <c>LEDGER_TEST_ESDB</c> names a server.
/// </summary>
public sealed class AppendSizeTests
{
    private const int Limit = 16 * 1024;

    [SkippableFact]
    public async Task In_EventStoreDB_mode_a_command_whose_events_exceed_the_maximum_append_size_is_413_and_appends_nothing()
    {
        Skip.If(!TestEventStore.IsEventStoreDb, TestEventStore.SkipReason);
        // A namespace of its own on the shared server, and a limit small enough to reach with a body far below Kestrel's 1 MiB.
        var eventStore = TestEventStore.WithOption(
            TestEventStore.WithOption(TestEventStore.Server!, "streamPrefix", $"size{Guid.NewGuid():N}."), "maxAppendSize", Limit.ToString());
        await using var world = await StartAsync("append-size", settings: new Dictionary<string, string?>
        {
            [TestEventStore.LedgerVariable] = eventStore, ["Ledger:Reactions:Run"] = "false",
        });

        // Below the limit: recorded as usual. A catalog version is one event with every offering in it: its size grows with them.
        (await Post(world.Admin, "/catalog/versions", Catalog("2026.FITS", offerings: 10))).EnsureAccepted();
        var before = await world.StreamAsync("catalog");
        Assert.Single(before);

        var key = Guid.NewGuid().ToString();
        var refused = await Post(world.Admin, "/catalog/versions", Catalog("2026.TOO-BIG", offerings: 300), key);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var body = await refused.Content.ReadAsStringAsync();
        Assert.True(body.Length < 2000, body); // the problem, not the request echoed
        var problem = await refused.Json();
        Assert.Equal("events.too-large", problem.GetProperty("code").GetString());
        Assert.Equal("body", problem.GetProperty("field").GetString());
        Assert.Contains($"{Limit} bytes", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("Exception", body);
        Assert.Equal(HttpStatusCode.NotFound, (await world.Admin.GetAsync("/catalog/versions/2026.TOO-BIG")).StatusCode);
        Assert.Equal(before.Select(e => e.Event.EventId), (await world.StreamAsync("catalog")).Select(e => e.Event.EventId));

        // The retry with the same key is refused the same way: nothing was recorded the first time either.
        var again = await Post(world.Admin, "/catalog/versions", Catalog("2026.TOO-BIG", offerings: 300), key);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, again.StatusCode);
        Assert.Single(await world.StreamAsync("catalog"));
    }

    private static object Catalog(string version, int offerings) => new
    {
        version,
        offerings = Enumerable.Range(1, offerings).Select(i => new
        {
            productOfferingId = $"P-{i:D4}", name = $"Offering number {i:D4}", listPrices = new[] { new { currency = "EUR", amount = 100.00m + i } },
        }),
    };
}
