using Ledger.EventStore.Marten;
using Ledger.EventStore.Replication;
using Ledger.Testing;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using Npgsql;
using Xunit;
using static Ledger.EventStore.Tests.TestEvents;

namespace Ledger.EventStore.Tests.Replication;

/// <summary>A fresh Marten database as a replication target, and the port over it to read the copy back.</summary>
public sealed class ReplicaDatabase : IAsyncDisposable
{
    private ReplicaDatabase(DocumentStore marten, NpgsqlDataSource dataSource)
    {
        Marten = marten;
        DataSource = dataSource;
        Target = new MartenReplicationTarget(marten, dataSource, Serializer);
        Store = new HashChainingEventStore(new MartenBackend(marten, dataSource, Serializer, new MartenBackendOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(20),
            GapWait = TimeSpan.FromMilliseconds(500),
        }));
    }

    public DocumentStore Marten { get; }
    public NpgsqlDataSource DataSource { get; }
    public MartenReplicationTarget Target { get; }
    public HashChainingEventStore Store { get; }

    public static async Task<ReplicaDatabase> CreateAsync()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("replica");
        var marten = LedgerMarten.CreateStore(connectionString, Serializer);
        await SchemaMigration.ApplyAsync(marten);
        return new ReplicaDatabase(marten, NpgsqlDataSource.Create(connectionString));
    }

    /// <summary>Every event of the replica in its own global order.</summary>
    public Task<List<RecordedEvent>> ReadAllAsync() => Store.ReadAllAsync(GlobalPosition.Start, int.MaxValue).ToListAsync().AsTask();

    /// <summary>Rows as stored, to show a replay wrote nothing (no new row, no new sequence value used by a row).</summary>
    public async Task<(long Events, long MaxSequence, long Streams, long VersionSum)> CountRowsAsync()
    {
        await using var command = DataSource.CreateCommand(
            "select (select count(*) from ledger.mt_events), (select coalesce(max(seq_id), 0) from ledger.mt_events), " +
            "(select count(*) from ledger.mt_streams), (select coalesce(sum(version), 0) from ledger.mt_streams)");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), Convert.ToInt64(reader.GetValue(3)));
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        Marten.Dispose();
    }
}

/// <summary>Writing a source history, running the replicator until it has caught up, and comparing copies.</summary>
public static class ReplicationRun
{
    /// <summary>
    /// Interleaves appends over <paramref name="streams"/> streams (round-robin), alternating event types and
    /// metadata with and without idempotency keys. Returns the streams and the position of the last event.
    /// </summary>
    public static async Task<(List<string> Streams, GlobalPosition Last)> WriteHistoryAsync(
        IEventStore store, string prefix, int streams, int appendsPerStream, int eventsPerAppend)
    {
        var names = Enumerable.Range(0, streams).Select(s => $"{prefix}-{s}-{Guid.NewGuid():N}").ToList();
        var last = GlobalPosition.Start;
        for (var round = 0; round < appendsPerStream; round++)
            foreach (var stream in names)
            {
                var events = Enumerable.Range(0, eventsPerAppend).Select(i =>
                {
                    var n = round * eventsPerAppend + i;
                    object body = n % 3 == 2
                        ? new TestDocumented($"line {n} of {stream}, ünïcödé", 12.50m + n, Instant.FromUnixTimeSeconds(1_700_000_000 + n))
                        : new TestHappened(n);
                    return Event(body, metadata: Metadata(n % 2 == 0 ? $"key-{stream}-{n}" : null));
                }).ToList();
                var result = Assert.IsType<AppendResult.Success>(
                    await store.AppendAsync(stream, ExpectedRevision.After(round * eventsPerAppend - 1), events));
                last = result.Position;
            }
        return (names, last);
    }

    /// <summary>
    /// Runs the replicator until the target's checkpoint reaches <paramref name="until"/>, then stops it.
    /// The 60 s limit is a safety net against a hung run, not a measurement.
    /// </summary>
    public static async Task ReplicateUntilAsync(IEventStore source, IReplicationTarget target, string name, GlobalPosition until)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var replicator = new EventReplicator(source, target, NullLogger<EventReplicator>.Instance, name);
        var run = replicator.RunAsync(stop.Token);
        while ((await target.LoadCheckpointAsync(name, CancellationToken.None)).CompareTo(until) < 0)
        {
            if (run.IsCompleted)
            {
                // Surfaces the replicator's own failure; a cancelled run here means the safety net fired.
                await run;
                throw new InvalidOperationException($"The replicator stopped before reaching position {until}.");
            }
            await Task.Delay(20);
        }
        await stop.CancelAsync();
        await Stopped(run);
    }

    /// <summary>Awaits a run that was cancelled; its cancellation is the expected way for it to end.</summary>
    public static async Task Stopped(Task run)
    {
        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Same ids, streams, revisions, types, data, metadata and hashes, in the same order.</summary>
    public static void AssertSameEvents(IReadOnlyList<RecordedEvent> expected, IReadOnlyList<RecordedEvent> actual)
    {
        Assert.Equal(expected.Select(e => e.EventId), actual.Select(e => e.EventId));
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.Equal(e.StreamId, a.StreamId);
            Assert.Equal(e.Revision, a.Revision);
            Assert.Equal(e.Type, a.Type);
            // jsonb keeps neither key order nor white space; the hash is over the canonical form, so that is the fact to compare.
            Assert.Equal(CanonicalJson.Write(e.Data.Span), CanonicalJson.Write(a.Data.Span));
            Assert.Equal(e.Metadata, a.Metadata);
            Assert.Equal(e.PreviousHash, a.PreviousHash);
            Assert.Equal(e.Hash, a.Hash);
        }
        // The copy's own global order is the source's order.
        for (var i = 1; i < actual.Count; i++) Assert.True(actual[i].Position.CompareTo(actual[i - 1].Position) > 0);
    }
}
