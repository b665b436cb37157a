using Ledger.EventStore.Marten;
using Xunit;
using static Ledger.EventStore.Tests.TestEvents;

namespace Ledger.EventStore.Tests.Postgres;

/// <summary>
/// The subscriptions of one process follow the same log; what one of them read, the others take from memory instead of
/// reading it again (<c>CommittedEventFeed</c>). They must still get every event once, in order, and still find what
/// another process appends at their next poll.
/// </summary>
public sealed class SharedSubscriptionReadTests(PostgresEventStore postgres) : IClassFixture<PostgresEventStore>
{
    [Fact]
    public async Task A_second_subscription_takes_from_memory_what_the_first_read_and_both_get_every_event_in_order()
    {
        var backend = new MartenBackend(postgres.Marten, postgres.DataSource, Serializer, new MartenBackendOptions { PollInterval = TimeSpan.FromMinutes(5) });
        var store = new HashChainingEventStore(backend);
        var stream = NewStream();
        var start = Appended(await store.AppendAsync(NewStream(), ExpectedRevision.NoStream, Happened(0, 1)));
        await store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(0, 3));
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await using var first = store.SubscribeToAllAsync(start, patience.Token).GetAsyncEnumerator(patience.Token);
        var read = await EventStoreContract.Take(first, 3);
        var fromDatabase = backend.FeedReads.FromDatabase;
        Assert.True(fromDatabase >= 1);

        // Started later from the same position: every event it hands out was read by the first, and none is read again.
        await using var second = store.SubscribeToAllAsync(start, patience.Token).GetAsyncEnumerator(patience.Token);
        var taken = await EventStoreContract.Take(second, 3);
        Assert.Equal(read.Select(e => e.EventId), taken.Select(e => e.EventId));
        Assert.Equal([0, 1, 2], taken.Select(N));
        Assert.Equal(fromDatabase, backend.FeedReads.FromDatabase);
        Assert.True(backend.FeedReads.Taken >= 1);

        // Both go on with what comes next (woken by this process's commit), once each, in order.
        await store.AppendAsync(stream, ExpectedRevision.Exact(2), Happened(3, 2));
        Assert.Equal([3, 4], (await EventStoreContract.Take(first, 2)).Select(N));
        Assert.Equal([3, 4], (await EventStoreContract.Take(second, 2)).Select(N));
    }

    /// <summary>
    /// Another process's appends signal nobody here: each subscription finds them by polling, and a poll must read the database
    /// (or take a read that started after it), never be answered "nothing more" from an older read the other subscription made.
    /// </summary>
    [Fact]
    public async Task Subscriptions_sharing_reads_still_find_another_process_appends_at_their_polls()
    {
        var backend = new MartenBackend(postgres.Marten, postgres.DataSource, Serializer, new MartenBackendOptions { PollInterval = TimeSpan.FromMilliseconds(100) });
        var store = new HashChainingEventStore(backend);
        using var elsewhere = LedgerMarten.CreateStore(postgres.ConnectionString, Serializer);
        var otherProcess = new HashChainingEventStore(new MartenBackend(elsewhere, postgres.DataSource, Serializer));
        var stream = NewStream();
        var start = Appended(await store.AppendAsync(NewStream(), ExpectedRevision.NoStream, Happened(0, 1)));
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var first = store.SubscribeToAllAsync(start, patience.Token).Where(e => e.StreamId == stream).GetAsyncEnumerator(patience.Token);
        await using var second = store.SubscribeToAllAsync(start, patience.Token).Where(e => e.StreamId == stream).GetAsyncEnumerator(patience.Token);

        for (var i = 0; i < 5; i++)
        {
            await otherProcess.AppendAsync(stream, i == 0 ? ExpectedRevision.NoStream : ExpectedRevision.Exact(i - 1), Happened(i, 1));
            Assert.Equal([i], (await EventStoreContract.Take(first, 1)).Select(N));
            Assert.Equal([i], (await EventStoreContract.Take(second, 1)).Select(N));
        }
    }

    private static GlobalPosition Appended(AppendResult result) =>
        result is AppendResult.Success success ? success.Position : throw new InvalidOperationException($"The append answered {result}.");
}
