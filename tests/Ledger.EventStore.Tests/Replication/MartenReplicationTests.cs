using Ledger.EventStore.Marten;
using Ledger.EventStore.Replication;
using Ledger.EventStore.Tests.Postgres;
using Ledger.EventStore.Verification;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static Ledger.EventStore.Tests.Replication.ReplicationRun;
using static Ledger.EventStore.Tests.TestEvents;

namespace Ledger.EventStore.Tests.Replication;

/// <summary>
/// Replication from one Marten database (the backend through the hash-chaining port) into another through
/// <see cref="EventReplicator"/> and <see cref="MartenReplicationTarget"/>: PostgreSQL only, so it always runs.
/// Each test takes a source and a replica database of its own.
/// </summary>
public sealed class MartenReplicationTests
{
    private static async Task<PostgresEventStore> CreateSourceAsync()
    {
        var source = new PostgresEventStore();
        await source.InitializeAsync();
        return source;
    }

    [Fact]
    public async Task Every_event_arrives_with_its_id_revision_type_data_metadata_and_hashes_in_order()
    {
        var source = await CreateSourceAsync();
        await using var replica = await ReplicaDatabase.CreateAsync();
        try
        {
            var (streams, last) = await WriteHistoryAsync(source.Store, "copy", streams: 5, appendsPerStream: 6, eventsPerAppend: 3);

            await ReplicateUntilAsync(source.Store, replica.Target, "copy", last);

            var expected = await source.Store.ReadAllAsync(GlobalPosition.Start, int.MaxValue).ToListAsync();
            var copied = await replica.ReadAllAsync();
            Assert.Equal(5 * 6 * 3, expected.Count);
            AssertSameEvents(expected, copied);
            Assert.Equal(last, await replica.Target.LoadCheckpointAsync("copy", default));

            var reports = await new ChainVerifier(replica.Store).VerifyAllAsync();
            Assert.Equal(streams.Order(StringComparer.Ordinal), reports.Select(r => r.StreamId));
            Assert.All(reports, r => Assert.True(r.Intact, r.FirstBrokenLink?.Detail));
            Assert.All(reports, r => Assert.Equal(18, r.EventsChecked));
        }
        finally
        {
            await source.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_replicator_stopped_mid_way_resumes_from_its_checkpoint_with_no_duplicate_and_no_gap()
    {
        var source = await CreateSourceAsync();
        await using var replica = await ReplicaDatabase.CreateAsync();
        try
        {
            // 1,300 events: more than two of the replicator's 500-event batches, so the first batch cannot be all of it.
            var (_, last) = await WriteHistoryAsync(source.Store, "resume", streams: 13, appendsPerStream: 10, eventsPerAppend: 10);
            var expected = await source.Store.ReadAllAsync(GlobalPosition.Start, int.MaxValue).ToListAsync();

            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var stopping = new StopAfterFirstBatch(replica.Target, stop);
            await Stopped(new EventReplicator(source.Store, stopping, NullLogger<EventReplicator>.Instance, "resume").RunAsync(stop.Token));

            var checkpoint = await replica.Target.LoadCheckpointAsync("resume", default);
            Assert.True(checkpoint.CompareTo(GlobalPosition.Start) > 0);
            Assert.True(checkpoint.CompareTo(last) < 0, "The first run should have stopped before the end.");
            // Exactly the source's prefix up to the checkpoint: the batch and its checkpoint committed together.
            var prefix = expected.TakeWhile(e => e.Position.CompareTo(checkpoint) <= 0).ToList();
            AssertSameEvents(prefix, await replica.ReadAllAsync());

            await ReplicateUntilAsync(source.Store, replica.Target, "resume", last);

            var copied = await replica.ReadAllAsync();
            AssertSameEvents(expected, copied);
            Assert.Equal(copied.Count, copied.Select(e => e.EventId).Distinct().Count());
            var reports = await new ChainVerifier(replica.Store).VerifyAllAsync();
            Assert.Equal(13, reports.Count);
            Assert.All(reports, r => Assert.True(r.Intact, r.FirstBrokenLink?.Detail));
        }
        finally
        {
            await source.DisposeAsync();
        }
    }

    [Fact]
    public async Task Applying_the_same_batch_twice_or_an_older_one_again_changes_nothing()
    {
        var source = await CreateSourceAsync();
        await using var replica = await ReplicaDatabase.CreateAsync();
        try
        {
            await WriteHistoryAsync(source.Store, "replay", streams: 3, appendsPerStream: 4, eventsPerAppend: 2);
            var events = await source.Store.ReadAllAsync(GlobalPosition.Start, int.MaxValue).ToListAsync();
            var first = events.Take(10).ToList();
            var second = events.Skip(10).ToList();

            await replica.Target.ApplyAsync("replay", first, default);
            await replica.Target.ApplyAsync("replay", second, default);
            var rows = await replica.CountRowsAsync();

            // A crash between commit and acknowledgement: the same batch comes again, then an older one.
            await replica.Target.ApplyAsync("replay", second, default);
            await replica.Target.ApplyAsync("replay", first, default);

            Assert.Equal(rows, await replica.CountRowsAsync());
            Assert.Equal(events[^1].Position, await replica.Target.LoadCheckpointAsync("replay", default));
            AssertSameEvents(events, await replica.ReadAllAsync());
        }
        finally
        {
            await source.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_batch_overlapping_what_is_there_copies_only_the_new_events()
    {
        var source = await CreateSourceAsync();
        await using var replica = await ReplicaDatabase.CreateAsync();
        try
        {
            await WriteHistoryAsync(source.Store, "overlap", streams: 2, appendsPerStream: 5, eventsPerAppend: 2);
            var events = await source.Store.ReadAllAsync(GlobalPosition.Start, int.MaxValue).ToListAsync();

            await replica.Target.ApplyAsync("overlap", events.Take(12).ToList(), default);
            await replica.Target.ApplyAsync("overlap", events.Skip(6).ToList(), default);

            AssertSameEvents(events, await replica.ReadAllAsync());
            Assert.Equal(events[^1].Position, await replica.Target.LoadCheckpointAsync("overlap", default));
        }
        finally
        {
            await source.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_batch_with_a_missing_event_is_refused_whole_and_the_checkpoint_stays()
    {
        var source = await CreateSourceAsync();
        await using var replica = await ReplicaDatabase.CreateAsync();
        try
        {
            var stream = NewStream();
            await source.Store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(0, 3));
            var other = NewStream();
            await source.Store.AppendAsync(other, ExpectedRevision.NoStream, Happened(0, 1));
            var events = await source.Store.ReadAllAsync(GlobalPosition.Start, int.MaxValue).ToListAsync();
            await replica.Target.ApplyAsync("gap", events.Take(1).ToList(), default);

            // Revision 1 of the first stream is left out: copying revision 2 after 0 would hide the loss.
            var withGap = new[] { events[2], events[3] };
            await Assert.ThrowsAsync<ReplicationConflictException>(() => replica.Target.ApplyAsync("gap", withGap, default));

            // Nothing of the refused batch landed, not even the other stream's event that came after the gap.
            AssertSameEvents(events.Take(1).ToList(), await replica.ReadAllAsync());
            Assert.Equal(events[0].Position, await replica.Target.LoadCheckpointAsync("gap", default));
        }
        finally
        {
            await source.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_event_id_the_target_holds_elsewhere_is_a_conflict_not_a_replay()
    {
        var source = await CreateSourceAsync();
        await using var replica = await ReplicaDatabase.CreateAsync();
        try
        {
            var stream = NewStream();
            await source.Store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(0, 1));
            var original = (await source.Store.ReadAllAsync(GlobalPosition.Start, 10).ToListAsync()).Single();
            await replica.Target.ApplyAsync("moved", [original], default);

            var moved = original with { StreamId = NewStream(), Position = new GlobalPosition(original.Position.Value + 1) };
            await Assert.ThrowsAsync<ReplicationConflictException>(() => replica.Target.ApplyAsync("moved", [moved], default));
            AssertSameEvents([original], await replica.ReadAllAsync());
        }
        finally
        {
            await source.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_event_that_does_not_chain_from_its_streams_previous_one_is_copied_quarantined_and_the_next_one_is_not()
    {
        var source = await CreateSourceAsync();
        await using var replica = await ReplicaDatabase.CreateAsync();
        try
        {
            var stream = NewStream();
            await source.Store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(0, 3));
            var events = await source.Store.ReadAllAsync(GlobalPosition.Start, int.MaxValue).ToListAsync();
            // Revision 1 as another chain made it: its own hash holds, over a previous hash that is not revision 0's.
            var spliced = events[1] with { PreviousHash = "0000elsewhere" };
            spliced = spliced with { Hash = EventHash.Compute(spliced.Type, spliced.Data.Span, spliced.Metadata, spliced.PreviousHash) };
            Assert.True(EventHash.Verify(spliced));
            // Revision 2 as the ledger appends after it: chained from the stored tail, the spliced event.
            var after = events[2] with { PreviousHash = spliced.Hash };
            after = after with { Hash = EventHash.Compute(after.Type, after.Data.Span, after.Metadata, after.PreviousHash) };

            // Revision 0 in one batch, the rest in the next: the link is checked against the copy's tail as well as within a batch.
            await replica.Target.ApplyAsync("splice", [events[0]], default);
            await replica.Target.ApplyAsync("splice", [spliced, after], default);

            var copied = await replica.ReadAllAsync();
            Assert.Equal([events[0].Type, ForeignEventStandIn.TypeName, events[2].Type], copied.Select(e => e.Type));
            Assert.Equal([false, true, false], await SkippedAsync(replica, copied));
            // The copy keeps the source's hashes around a stand-in, so verifying the copy names the same revision (as altered:
            // the stand-in is not what was hashed); the auditor's verify reads the source, where the link is what breaks (EventStoreDbTamperingTests).
            var report = await new ChainVerifier(replica.Store).VerifyStreamAsync(stream);
            Assert.Equal((BrokenLinkKind.EventAltered, 1L), (report.FirstBrokenLink?.Kind, report.FirstBrokenLink?.Revision));
        }
        finally
        {
            await source.DisposeAsync();
        }
    }

    private static async Task<List<bool>> SkippedAsync(ReplicaDatabase replica, IReadOnlyList<RecordedEvent> events)
    {
        var skipped = new List<bool>();
        foreach (var e in events)
        {
            await using var command = replica.DataSource.CreateCommand("select is_skipped from ledger.mt_events where id = $1");
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = e.EventId });
            skipped.Add((bool)(await command.ExecuteScalarAsync())!);
        }
        return skipped;
    }

    /// <summary>Lets one batch commit, then stops the replicator: a stop between batches, as a deploy would.</summary>
    private sealed class StopAfterFirstBatch(IReplicationTarget inner, CancellationTokenSource stop) : IReplicationTarget
    {
        public Task<GlobalPosition> LoadCheckpointAsync(string replicator, CancellationToken ct) => inner.LoadCheckpointAsync(replicator, ct);

        public async Task ApplyAsync(string replicator, IReadOnlyList<RecordedEvent> batch, CancellationToken ct)
        {
            await inner.ApplyAsync(replicator, batch, ct);
            await stop.CancelAsync();
        }
    }
}
