using System.Runtime.CompilerServices;
using Ledger.EventStore.EventStoreDb;
using Ledger.EventStore.Replication;
using Ledger.EventStore.Verification;
using Ledger.Testing;
using Xunit;
using static Ledger.EventStore.Tests.Replication.ReplicationRun;

namespace Ledger.EventStore.Tests.Replication;

/// <summary>
/// EventStoreDB (the system of record) into Marten, as production runs it (ADR/0010). Runs when
/// <c>LEDGER_TEST_ESDB</c> names a server.
/// </summary>
public sealed class EventStoreDbReplicationTests
{
    private const string Variable = "LEDGER_TEST_ESDB";

    [SkippableFact]
    public async Task An_EventStoreDB_history_replicated_in_two_runs_equals_its_Marten_copy_event_by_event()
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable);
        Skip.If(string.IsNullOrWhiteSpace(connectionString), $"{Variable} is not set: replicating from EventStoreDB needs a server (see ADR 0006)");

        using var backend = new EventStoreDbBackend(connectionString!);
        var esdb = new HashChainingEventStore(backend);
        await using var replica = await ReplicaDatabase.CreateAsync();

        // The node is shared with the other test classes, which write to $all at the same time; the marker's
        // position is where this test's history begins, and the view hides every other test's streams.
        var prefix = $"repl{Guid.NewGuid():N}";
        var marker = Assert.IsType<AppendResult.Success>(
            await esdb.AppendAsync($"{prefix}-marker", ExpectedRevision.NoStream, [TestEvents.Event(new TestHappened(-1))]));
        var source = new StreamsView(esdb, prefix, marker.Position);

        var (firstStreams, firstLast) = await WriteHistoryAsync(esdb, $"{prefix}-a", streams: 4, appendsPerStream: 5, eventsPerAppend: 2);
        await ReplicateUntilAsync(source, replica.Target, "esdb", firstLast);
        // The second run starts from the checkpoint the first one left, while the source kept growing,
        // including streams the first run already copied part of.
        var (secondStreams, secondLast) = await WriteHistoryAsync(esdb, $"{prefix}-b", streams: 3, appendsPerStream: 4, eventsPerAppend: 3);
        foreach (var stream in firstStreams)
            await esdb.AppendAsync(stream, ExpectedRevision.Exact(9), TestEvents.Happened(10, 2));
        var last = Assert.IsType<AppendResult.Success>(
            await esdb.AppendAsync(firstStreams[0], ExpectedRevision.Exact(11), TestEvents.Happened(12, 1))).Position;
        Assert.True(last.CompareTo(secondLast) > 0);
        await ReplicateUntilAsync(source, replica.Target, "esdb", last);

        var streams = firstStreams.Concat(secondStreams).ToList();
        var expected = new List<RecordedEvent>();
        foreach (var stream in streams)
            expected.AddRange(Assert.IsType<ReadStreamResult.Found>(
                await esdb.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 1000)).Events);
        expected = expected.OrderBy(e => e.Position).ToList();
        var copied = await replica.ReadAllAsync();

        Assert.Equal(4 * 10 + 4 * 2 + 1 + 3 * 12, expected.Count);
        AssertSameEvents(expected, copied);
        Assert.Equal(last, await replica.Target.LoadCheckpointAsync("esdb", default));

        // A simple fold over both sides: events per stream and each stream's last revision.
        Assert.Equal(Fold(expected), Fold(copied));
        var reports = await new ChainVerifier(replica.Store).VerifyAllAsync();
        Assert.Equal(streams.Count, reports.Count);
        Assert.All(reports, r => Assert.True(r.Intact, r.FirstBrokenLink?.Detail));
    }

    /// <summary>
    /// Another client writes to the shared server: an event of its own type, without the ledger's metadata, into a ledger
    /// stream at the right revision, and a stream of its own with data that is not even JSON. Replication copies on past
    /// both (stand-ins at their revisions, so the ledger stream's next event still fits), the source's verify names the
    /// foreign event, and the ledger's later event on that stream is copied as it is.
    /// </summary>
    [SkippableFact]
    public async Task Events_another_client_wrote_are_copied_as_stand_ins_and_replication_goes_on()
    {
        var connectionString = Environment.GetEnvironmentVariable(Variable);
        Skip.If(string.IsNullOrWhiteSpace(connectionString), $"{Variable} is not set: replicating from EventStoreDB needs a server (see ADR 0006)");

        using var backend = new EventStoreDbBackend(connectionString!);
        var esdb = new HashChainingEventStore(backend);
        await using var replica = await ReplicaDatabase.CreateAsync();
        var prefix = $"foreign{Guid.NewGuid():N}";
        var marker = Assert.IsType<AppendResult.Success>(
            await esdb.AppendAsync($"{prefix}-marker", ExpectedRevision.NoStream, [TestEvents.Event(new TestHappened(-1))]));
        var (ledgerStream, otherStream) = ($"{prefix}-quote", $"{prefix}-other-tool");

        Assert.IsType<AppendResult.Success>(await esdb.AppendAsync(ledgerStream, ExpectedRevision.NoStream, TestEvents.Happened(0, 2)));
        await EventStoreDbOtherClient.AppendAsync(connectionString!, ledgerStream, 1, "foreign-event", """{"note":"synced by another tool"}"""u8.ToArray());
        await EventStoreDbOtherClient.AppendAsync(connectionString!, otherStream, -1, "other-tool-thing", [0xff, 0x00, 0x13]);
        var last = Assert.IsType<AppendResult.Success>(await esdb.AppendAsync(ledgerStream, ExpectedRevision.Exact(2), TestEvents.Happened(3, 1))).Position;

        await ReplicateUntilAsync(new StreamsView(esdb, prefix, marker.Position), replica.Target, "esdb-foreign", last);

        var copied = (await replica.ReadAllAsync()).GroupBy(e => e.StreamId).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal([0L, 1, 2, 3], copied[ledgerStream].Select(e => e.Revision));
        Assert.Equal([TestEvents.Registry.NameOf(typeof(TestHappened)), ForeignEventStandIn.TypeName],
            copied[ledgerStream].Select(e => e.Type).Distinct());
        var standIn = System.Text.Json.JsonSerializer.Deserialize<ForeignEventStandIn>(copied[ledgerStream][2].Data.Span, TestEvents.Serializer.Options)!;
        Assert.Equal("foreign-event", standIn.SourceType);
        Assert.Contains("the ledger did not write it", standIn.Reason);
        Assert.Equal(ForeignEventStandIn.TypeName, Assert.Single(copied[otherStream]).Type);
        Assert.Equal(last, await replica.Target.LoadCheckpointAsync("esdb-foreign", default));

        // The system of record tells the auditor which event it is.
        var report = await new ChainVerifier(esdb).VerifyStreamAsync(ledgerStream);
        Assert.Equal((BrokenLinkKind.NotWrittenByLedger, 2L), (report.FirstBrokenLink!.Kind, report.FirstBrokenLink.Revision));
    }

    private static List<(string Stream, int Count, long LastRevision)> Fold(IEnumerable<RecordedEvent> events) =>
        events.GroupBy(e => e.StreamId)
            .Select(g => (g.Key, g.Count(), g.Max(e => e.Revision)))
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .ToList();

    /// <summary>The source as this test sees it: $all from its marker on, its own streams only (the marker's excluded).</summary>
    private sealed class StreamsView(IEventStore inner, string prefix, GlobalPosition floor) : IEventStore
    {
        private bool Mine(RecordedEvent e) => e.StreamId.StartsWith(prefix + "-", StringComparison.Ordinal) && !e.StreamId.EndsWith("-marker", StringComparison.Ordinal);

        private GlobalPosition From(GlobalPosition after) => after.CompareTo(floor) < 0 ? floor : after;

        public Task<AppendResult> AppendAsync(string streamId, ExpectedRevision expected, IReadOnlyList<EventToAppend> events, CancellationToken cancellationToken = default) =>
            inner.AppendAsync(streamId, expected, events, cancellationToken);

        public Task<ReadStreamResult> ReadStreamAsync(string streamId, ReadDirection direction, StreamRevision from, int maxCount, CancellationToken cancellationToken = default) =>
            inner.ReadStreamAsync(streamId, direction, from, maxCount, cancellationToken);

        public IAsyncEnumerable<RecordedEvent> ReadAllAsync(GlobalPosition after, int maxCount, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The replicator subscribes; a filtered page could not honour maxCount.");

        public async IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(GlobalPosition after, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var e in inner.SubscribeToAllAsync(From(after), cancellationToken))
                if (Mine(e)) yield return e;
        }
    }
}
