using System.Net;
using System.Text.Json;
using Ledger.EventStore;
using Ledger.EventStore.Verification;
using Ledger.IntegrationTests.Journeys;
using Microsoft.Extensions.DependencyInjection;
using Ledger.Testing;
using Npgsql;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Timelines;

/// <summary>
/// Rows the ledger did not write, put into its PostgreSQL tables by another tool or by hand: each becomes a finding (a
/// broken link in verify, a flagged timeline entry, a 409 on its stream) and nothing else stops: no 500, verify of every
/// stream finishes, other quotes take commands, reactions and projections move on.
/// </summary>
public sealed class ForeignEventTests : IAsyncLifetime
{
    private LedgerWorld _world = null!;

    public async Task InitializeAsync()
    {
        // Its rows are put into PostgreSQL's event table by hand: PostgreSQL mode in every run (the EventStoreDB case is below).
        _world = await StartAsync(nameof(ForeignEventTests), settings: new Dictionary<string, string?> { [TestEventStore.LedgerVariable] = "postgres" });
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync() => await _world.DisposeAsync();

    public static TheoryData<string, string, string> Intrusions => new()
    {
        // Another application on the same Marten schema appends its own event at the stream's next version: no ledger headers,
        // a type the ledger does not know. (A row with no .NET type at all stops Marten's own event loader: ADR/0018.)
        {
            "foreign", """
                       insert into ledger.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type)
                       select nextval('ledger.mt_events_sequence'), gen_random_uuid(), id, version + 1, '{"note":"synced by another tool"}', 'foreign-event', now(), '*DEFAULT*', 'OtherApp.Synced, OtherApp'
                       from ledger.mt_streams where id = @stream;
                       update ledger.mt_streams set version = version + 1 where id = @stream;
                       """,
            "the ledger did not write it"
        },
        // Someone overwrites an event's recorded time with something that is not a time.
        {
            "garbled", "update ledger.mt_events set headers = jsonb_set(headers, '{recordedAt}', '\"last tuesday\"') where stream_id = @stream and version = 2",
            "recordedAt 'last tuesday' is not an ISO-8601 instant"
        },
    };

    [Theory, MemberData(nameof(Intrusions))]
    public async Task A_row_the_ledger_did_not_write_is_a_finding_and_stops_nothing_else(string how, string sql, string finding)
    {
        var (quoteId, bystander) = ($"Q-INTRUDED-{how}", $"Q-BYSTANDER-{how}");
        foreach (var id in new[] { quoteId, bystander })
        {
            (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft(id, "EUR", "Europe/Berlin"))).EnsureAccepted();
            (await Post(_world.Salesforce, $"/quotes/{id}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 2, discountPercent = 0 })).EnsureAccepted();
        }
        await using (var intrude = _world.Ledger.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql))
        {
            intrude.Parameters.AddWithValue("stream", $"quote-{quoteId}");
            Assert.True(await intrude.ExecuteNonQueryAsync() > 0, "The intrusion touched no row.");
        }
        var rowsBefore = await EventRowsAsync();

        // The auditor sees it: verify names the event and what is wrong with it; the timeline shows it, flagged.
        var verify = await (await _world.Auditor.GetAsync($"/quotes/{quoteId}/timeline/verify")).EnsureAccepted().Json();
        Assert.False(verify.GetProperty("intact").GetBoolean());
        var broken = verify.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("streamId").GetString() == $"quote-{quoteId}").GetProperty("firstBrokenLink");
        Assert.Equal(nameof(BrokenLinkKind.NotWrittenByLedger), broken.GetProperty("kind").GetString());
        Assert.Contains(finding, broken.GetProperty("detail").GetString());
        var timeline = await (await _world.Auditor.GetAsync($"/quotes/{quoteId}/timeline")).EnsureAccepted().Json();
        var flagged = timeline.GetProperty("entries").EnumerateArray().Where(e => e.GetProperty("unreadable").ValueKind == JsonValueKind.String).ToList();
        Assert.Single(flagged);
        Assert.Contains(finding, flagged[0].GetProperty("unreadable").GetString());

        // Verifying every stream (what `ledger verify --all` runs) finishes and blames only this one.
        var all = await new ChainVerifier(_world.EventStore).VerifyAllAsync();
        Assert.Equal([$"quote-{quoteId}"], all.Where(r => !r.Intact).Select(r => r.StreamId));
        Assert.Contains(all, r => r.StreamId == $"quote-{bystander}" && r.Intact);

        if (how == "foreign")
        {
            // Nothing is decided on a history the ledger cannot read: a clear 409, nothing appended, never a 500.
            foreach (var response in new[]
                     {
                         await Post(_world.Salesforce, $"/quotes/{quoteId}/price", new { }),
                         await _world.Salesforce.GetAsync($"/quotes/{quoteId}"),
                     })
            {
                Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
                var problem = await response.Json();
                Assert.Equal("stream.unreadable", problem.GetProperty("code").GetString());
                Assert.Contains("foreign-event", problem.GetProperty("detail").GetString());
                Assert.DoesNotContain("Exception", problem.GetRawText());
            }
            Assert.Equal(rowsBefore, await EventRowsAsync());
        }
        else
        {
            // A garbled time does not change what the quote is: it still reads and takes commands, and verify keeps saying so.
            Assert.Equal(HttpStatusCode.OK, (await _world.Salesforce.GetAsync($"/quotes/{quoteId}")).StatusCode);
            (await Post(_world.Salesforce, $"/quotes/{quoteId}/price", new { })).EnsureAccepted();
        }

        // Everything else goes on: the other quote takes commands, reactions and projections pass the row.
        (await Post(_world.Salesforce, $"/quotes/{bystander}/price", new { })).EnsureAccepted();
        (await Post(_world.Salesforce, $"/quotes/{bystander}/submit")).EnsureAccepted();
        await _world.ReactionsSettledAsync();
        await _world.NoProjectionBehindAsync();
        // The bystander's view shows its submission: the daemon projected past the row.
        var status = await Eventually(async () => (await (await _world.Salesforce.GetAsync($"/crm/salesforce/quotes/{bystander}")).Json()).GetProperty("status").GetProperty("value").GetString(),
            s => s != "Draft");
        Assert.NotEqual("Draft", status);
    }

    /// <summary>
    /// The same in EventStoreDB mode, the system of record shared with other clients: one of them appends its own event to
    /// a quote stream at the right revision. Reads and commands on that quote answer 409, the auditor's verify names the
    /// event, nothing is appended. Runs when <c>LEDGER_TEST_ESDB</c> names a server.
    /// </summary>
    [SkippableFact]
    public async Task In_EventStoreDB_mode_another_clients_event_on_a_quote_is_a_finding_not_a_500()
    {
        var server = Environment.GetEnvironmentVariable("LEDGER_TEST_ESDB");
        Skip.If(string.IsNullOrWhiteSpace(server), "LEDGER_TEST_ESDB is not set: EventStoreDB mode needs a server (see ADR 0006)");
        // The server is shared with other tests: this ledger does not react to or wait for their history.
        await using var world = await StartAsync("foreign-esdb", settings: new Dictionary<string, string?>
        {
            ["LEDGER_EVENTSTORE"] = server, ["Ledger:Reactions:Run"] = "false",
        });
        var quoteId = $"Q-ESDB-FOREIGN-{Guid.NewGuid():N}"[..24];
        (await Post(world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();
        await EventStoreDbOtherClient.AppendAsync(server!, $"quote-{quoteId}", 0, "foreign-event", """{"note":"synced by another tool"}"""u8.ToArray());

        foreach (var response in new[]
                 {
                     await Post(world.Salesforce, $"/quotes/{quoteId}/withdraw", new { reason = "duplicate" }),
                     await world.Salesforce.GetAsync($"/quotes/{quoteId}"),
                 })
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal("stream.unreadable", (await response.Json()).GetProperty("code").GetString());
        }
        var verify = await (await world.Auditor.GetAsync($"/quotes/{quoteId}/timeline/verify")).EnsureAccepted().Json();
        var broken = verify.GetProperty("streams").EnumerateArray().Single().GetProperty("firstBrokenLink");
        Assert.Equal((nameof(BrokenLinkKind.NotWrittenByLedger), 1), (broken.GetProperty("kind").GetString(), broken.GetProperty("revision").GetInt32()));
        var timeline = await (await world.Auditor.GetAsync($"/quotes/{quoteId}/timeline")).EnsureAccepted().Json();
        Assert.Equal(2, timeline.GetProperty("entries").GetArrayLength());
        Assert.Equal(1, timeline.GetProperty("state").GetProperty("eventsUnreadable").GetInt32());
        Assert.Equal(2, (await world.EventStore.ReadStreamAsync($"quote-{quoteId}", ReadDirection.Forwards, StreamRevision.Start, 10) as ReadStreamResult.Found)!.Events.Count);
    }

    private async Task<long> EventRowsAsync()
    {
        await using var count = _world.Ledger.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("select count(*) from ledger.mt_events");
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
