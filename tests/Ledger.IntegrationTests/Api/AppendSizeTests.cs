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

        // Below the limit: recorded as usual (the owner's name is the only long text).
        (await Post(world.Salesforce, "/quotes", Draft("Q-SIZE-FITS", new string('s', Limit / 4)))).EnsureAccepted();
        Assert.Single(await world.StreamAsync("quote-Q-SIZE-FITS"));

        var key = Guid.NewGuid().ToString();
        var refused = await Post(world.Salesforce, "/quotes", Draft("Q-SIZE-TOO-BIG", new string('b', Limit + 1)), key);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Json();
        Assert.Equal("events.too-large", problem.GetProperty("code").GetString());
        Assert.Equal("body", problem.GetProperty("field").GetString());
        Assert.Contains($"{Limit} bytes", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain("Exception", await refused.Content.ReadAsStringAsync());
        Assert.Empty(await world.StreamAsync("quote-Q-SIZE-TOO-BIG"));

        // The retry with the same key is refused the same way: nothing was recorded the first time either.
        var again = await Post(world.Salesforce, "/quotes", Draft("Q-SIZE-TOO-BIG", new string('b', Limit + 1)), key);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, again.StatusCode);
        Assert.Empty(await world.StreamAsync("quote-Q-SIZE-TOO-BIG"));
    }

    private static object Draft(string quoteId, string owner) => new
    {
        quoteId, crmOpportunityId = $"OPP-{quoteId}", crmAccountId = "ACC-ACME", customerId = "C-ACME", owner,
        currency = "EUR", segment = "enterprise", region = "EMEA", legalEntity = "Ledger Demo GmbH", timeZone = "Europe/Berlin",
        priceBookVersion = "2026.1", validFrom = "2026-01-01", validUntil = "2099-12-31",
    };
}
