using NodaTime;
using Ledger.EventStore.Verification;
using Xunit;
using static Ledger.EventStore.Tests.TestEvents;

namespace Ledger.EventStore.Tests;

/// <summary>
/// What every backend of the event store port must do, run through <see cref="HashChainingEventStore"/> as
/// the application uses it. Each test works on streams of its own, so tests share one store per class.
/// </summary>
public abstract class EventStoreContract
{
    private readonly IEventStore? _store;
    private readonly string? _skipReason;

    protected EventStoreContract(IEventStore? store, string? skipReason)
    {
        _store = store;
        _skipReason = skipReason;
    }

    /// <summary>The store under test; skips the test when the backend has no server to run on.</summary>
    private IEventStore Store
    {
        get
        {
            Skip.If(_skipReason is not null, _skipReason);
            return _store!;
        }
    }

    /// <summary>
    /// Whether the backend's append answer says if it wrote the events or found them there (Marten does). EventStoreDB
    /// answers a repeat of known ids exactly like the write, so through the port a repeat is marked only when the
    /// port's own tail read found it before appending (ADR/0006).
    /// </summary>
    protected virtual bool TellsAWriteFromARepeat => true;

    /// <summary>The largest append the backend takes, when it has a limit (EventStoreDB's <c>MaxAppendSize</c>, as configured).</summary>
    protected virtual long? MaxAppendSize => null;

    // A safety net against a hung subscription, not a measurement.
    private static CancellationTokenSource Patience() => new(TimeSpan.FromSeconds(60));

    [SkippableFact]
    public async Task NoStream_starts_a_stream_and_Exact_continues_it_with_0_based_revisions()
    {
        var store = Store;
        var stream = NewStream();

        var first = Assert.IsType<AppendResult.Success>(await store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(0, 2)));
        var second = Assert.IsType<AppendResult.Success>(await store.AppendAsync(stream, ExpectedRevision.Exact(1), Happened(2, 1)));

        Assert.Equal(1, first.LastRevision);
        Assert.Equal(2, second.LastRevision);
        Assert.False(first.Deduplicated || second.Deduplicated);
        Assert.True(second.Position.Value > first.Position.Value);
        var found = Assert.IsType<ReadStreamResult.Found>(await store.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 10));
        Assert.Equal([0L, 1, 2], found.Events.Select(e => e.Revision));
        Assert.Equal([0, 1, 2], found.Events.Select(N));
        Assert.Equal(2, found.LastRevision);
        Assert.Equal(second.Position, found.Events[^1].Position);
    }

    [SkippableFact]
    public async Task NoStream_on_an_existing_stream_is_refused_with_the_actual_revision()
    {
        var store = Store;
        var stream = NewStream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(0, 3));

        var result = await store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(3, 1));

        var wrong = Assert.IsType<AppendResult.WrongExpectedRevision>(result);
        Assert.Equal(2, wrong.ActualRevision);
        Assert.Equal(ExpectedRevision.NoStream, wrong.Expected);
        Assert.Equal(2, await LastRevision(stream));
    }

    [SkippableFact]
    public async Task Exact_with_a_stale_revision_or_on_a_missing_stream_is_refused_with_the_actual_revision()
    {
        var store = Store;
        var stream = NewStream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(0, 2));

        var stale = Assert.IsType<AppendResult.WrongExpectedRevision>(await store.AppendAsync(stream, ExpectedRevision.Exact(0), Happened(2, 1)));
        var ahead = Assert.IsType<AppendResult.WrongExpectedRevision>(await store.AppendAsync(stream, ExpectedRevision.Exact(5), Happened(2, 1)));
        var missing = Assert.IsType<AppendResult.WrongExpectedRevision>(await store.AppendAsync(NewStream(), ExpectedRevision.Exact(0), Happened(0, 1)));

        Assert.Equal(1, stale.ActualRevision);
        Assert.Equal(ExpectedRevision.Exact(0), stale.Expected);
        Assert.Equal(1, ahead.ActualRevision);
        Assert.Equal(-1, missing.ActualRevision);
        Assert.Equal(1, await LastRevision(stream));
    }

    [SkippableFact]
    public async Task StreamExists_needs_the_stream_and_Any_takes_whatever_is_there()
    {
        var store = Store;
        var stream = NewStream();

        var refused = Assert.IsType<AppendResult.WrongExpectedRevision>(await store.AppendAsync(stream, ExpectedRevision.StreamExists, Happened(0, 1)));
        var created = Assert.IsType<AppendResult.Success>(await store.AppendAsync(stream, ExpectedRevision.Any, Happened(0, 1)));
        var continued = Assert.IsType<AppendResult.Success>(await store.AppendAsync(stream, ExpectedRevision.StreamExists, Happened(1, 2)));
        var again = Assert.IsType<AppendResult.Success>(await store.AppendAsync(stream, ExpectedRevision.Any, Happened(3, 1)));

        Assert.Equal(-1, refused.ActualRevision);
        Assert.Equal(0, created.LastRevision);
        Assert.Equal(2, continued.LastRevision);
        Assert.Equal(3, again.LastRevision);
        var found = Assert.IsType<ReadStreamResult.Found>(await store.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 10));
        Assert.Equal([0, 1, 2, 3], found.Events.Select(N));
    }

    [SkippableFact]
    public async Task Writers_racing_on_one_expected_revision_have_exactly_one_winner_per_revision()
    {
        var store = Store;
        var stream = NewStream();
        const int writers = 16;

        var starts = await Task.WhenAll(Enumerable.Range(0, writers).Select(w =>
            Task.Run(() => store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(w, 1)))));
        Assert.Single(starts.OfType<AppendResult.Success>());
        Assert.All(starts.OfType<AppendResult.WrongExpectedRevision>(), r => Assert.Equal(0, r.ActualRevision));

        for (long revision = 0; revision < 3; revision++)
        {
            var expected = ExpectedRevision.Exact(revision);
            var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w =>
                Task.Run(() => store.AppendAsync(stream, expected, Happened(100 * (int)(revision + 1) + w, 1)))));

            var winner = Assert.Single(results.OfType<AppendResult.Success>());
            Assert.Equal(revision + 1, winner.LastRevision);
            var losers = results.OfType<AppendResult.WrongExpectedRevision>().ToList();
            Assert.Equal(writers - 1, losers.Count);
            Assert.All(losers, l => Assert.Equal(revision + 1, l.ActualRevision));
        }
        Assert.Equal(3, await LastRevision(stream));
    }

    [SkippableFact]
    public async Task A_retry_with_the_same_event_ids_is_deduplicated_and_changes_nothing()
    {
        var store = Store;
        var stream = NewStream();
        var opening = Happened(0, 2);
        var next = Happened(2, 2);
        var opened = Assert.IsType<AppendResult.Success>(await store.AppendAsync(stream, ExpectedRevision.NoStream, opening));
        var original = Assert.IsType<AppendResult.Success>(await store.AppendAsync(stream, ExpectedRevision.Exact(1), next));

        var sameExpectation = Assert.IsType<AppendResult.Success>(await store.AppendAsync(stream, ExpectedRevision.Exact(1), next));
        var anyExpectation = Assert.IsType<AppendResult.Success>(await store.AppendAsync(stream, ExpectedRevision.Any, next));
        var firstAgain = Assert.IsType<AppendResult.Success>(await store.AppendAsync(stream, ExpectedRevision.NoStream, opening));

        Assert.Equal(original with { Deduplicated = true }, sameExpectation);
        Assert.Equal(original with { Deduplicated = true }, anyExpectation);
        // NoStream reads nothing first: only a backend that tells a repeat apart can mark it.
        Assert.Equal(opened with { Deduplicated = TellsAWriteFromARepeat }, firstAgain);
        var found = Assert.IsType<ReadStreamResult.Found>(await store.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 100));
        Assert.Equal(opening.Concat(next).Select(e => e.EventId), found.Events.Select(e => e.EventId));
    }

    [SkippableFact]
    public async Task Racing_copies_of_one_append_land_once()
    {
        var store = Store;
        var stream = NewStream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(0, 1));
        var events = Happened(1, 3);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => store.AppendAsync(stream, ExpectedRevision.Any, events))));

        var successes = results.Select(r => Assert.IsType<AppendResult.Success>(r)).ToList();
        // Each copy read the tail before any landed; which one wrote only a backend that tells a repeat apart can say.
        if (TellsAWriteFromARepeat) Assert.Single(successes, s => !s.Deduplicated);
        Assert.All(successes, s => Assert.Equal(3, s.LastRevision));
        Assert.Single(successes.Select(s => s.Position).Distinct());
        var found = Assert.IsType<ReadStreamResult.Found>(await store.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 100));
        Assert.Equal([0, 1, 2, 3], found.Events.Select(N));
    }

    [SkippableFact]
    public async Task Streams_read_forwards_and_backwards_from_a_revision_with_a_count()
    {
        var store = Store;
        var stream = NewStream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(0, 10));

        async Task<IEnumerable<int>> Read(ReadDirection direction, long from, int count) =>
            Assert.IsType<ReadStreamResult.Found>(await store.ReadStreamAsync(stream, direction, new StreamRevision(from), count)).Events.Select(N);

        Assert.Equal([3, 4, 5, 6], await Read(ReadDirection.Forwards, 3, 4));
        Assert.Equal([8, 9], await Read(ReadDirection.Forwards, 8, 4));
        Assert.Empty(await Read(ReadDirection.Forwards, 10, 4));
        Assert.Equal([6, 5, 4], await Read(ReadDirection.Backwards, 6, 3));
        Assert.Equal([1, 0], await Read(ReadDirection.Backwards, 1, 5));
        var tail = Assert.IsType<ReadStreamResult.Found>(await store.ReadStreamAsync(stream, ReadDirection.Backwards, StreamRevision.End, 2));
        Assert.Equal([9, 8], tail.Events.Select(N));
        Assert.Equal(9, tail.LastRevision);
    }

    [SkippableFact]
    public async Task A_missing_stream_is_a_result_not_an_exception()
    {
        var store = Store;
        var stream = NewStream();

        var forwards = await store.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 10);
        var backwards = await store.ReadStreamAsync(stream, ReadDirection.Backwards, StreamRevision.End, 10);

        Assert.Equal(new ReadStreamResult.StreamNotFound(stream), forwards);
        Assert.Equal(new ReadStreamResult.StreamNotFound(stream), backwards);
    }

    [SkippableFact]
    public async Task Read_all_hands_out_every_event_once_in_strictly_increasing_positions()
    {
        var store = Store;
        var start = await EndOfAll();
        var streams = Enumerable.Range(0, 4).Select(_ => NewStream()).ToArray();
        var appended = new List<Guid>();
        for (var round = 0; round < 3; round++)
            foreach (var stream in streams)
            {
                var events = Happened(round * 10, 2);
                await store.AppendAsync(stream, ExpectedRevision.Any, events);
                appended.AddRange(events.Select(e => e.EventId));
            }

        var read = new List<RecordedEvent>();
        var position = start;
        while (true)
        {
            var page = await store.ReadAllAsync(position, 5).ToListAsync();
            if (page.Count == 0) break;
            read.AddRange(page);
            position = page[^1].Position;
        }

        AssertStrictlyIncreasing(read);
        Assert.Equal(appended, read.Where(e => streams.Contains(e.StreamId)).Select(e => e.EventId));
    }

    [SkippableFact]
    public async Task A_subscription_catches_up_then_goes_live()
    {
        var store = Store;
        var stream = NewStream();
        var start = await EndOfAll();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(0, 3));
        using var patience = Patience();
        await using var subscription = store.SubscribeToAllAsync(start, patience.Token)
            .Where(e => e.StreamId == stream).GetAsyncEnumerator(patience.Token);

        var caughtUp = await Take(subscription, 3);
        await store.AppendAsync(stream, ExpectedRevision.Exact(2), Happened(3, 2));
        var live = await Take(subscription, 2);

        Assert.Equal([0, 1, 2, 3, 4], caughtUp.Concat(live).Select(N));
        AssertStrictlyIncreasing(caughtUp.Concat(live).ToList());
    }

    [SkippableFact]
    public async Task A_subscription_resumed_from_a_checkpoint_neither_skips_nor_repeats()
    {
        var store = Store;
        var stream = NewStream();
        var start = await EndOfAll();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(0, 6));
        using var patience = Patience();

        RecordedEvent checkpoint;
        await using (var first = store.SubscribeToAllAsync(start, patience.Token).Where(e => e.StreamId == stream).GetAsyncEnumerator(patience.Token))
            checkpoint = (await Take(first, 3))[^1];
        await store.AppendAsync(stream, ExpectedRevision.Exact(5), Happened(6, 2));
        await using var resumed = store.SubscribeToAllAsync(checkpoint.Position, patience.Token)
            .Where(e => e.StreamId == stream).GetAsyncEnumerator(patience.Token);

        Assert.Equal([3, 4, 5, 6, 7], (await Take(resumed, 5)).Select(N));
    }

    [SkippableFact]
    public async Task Metadata_comes_back_as_it_was_appended()
    {
        var store = Store;
        var stream = NewStream();
        var start = await EndOfAll();
        var withKey = TestEvents.Metadata("idem-42") with { SchemaVersion = 3 };
        var withoutKey = TestEvents.Metadata();
        var events = new[] { Event(new TestHappened(1), metadata: withKey), Event(new TestHappened(2), metadata: withoutKey) };
        await store.AppendAsync(stream, ExpectedRevision.NoStream, events);

        var found = Assert.IsType<ReadStreamResult.Found>(await store.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 10));
        var fromAll = (await store.ReadAllAsync(start, 10_000).ToListAsync()).Where(e => e.StreamId == stream).ToList();

        foreach (var read in new[] { found.Events, fromAll })
        {
            Assert.Equal(withKey, read[0].Metadata);
            Assert.Equal(withoutKey, read[1].Metadata);
            Assert.Equal(events.Select(e => e.EventId), read.Select(e => e.EventId));
            Assert.Equal(["test-happened.v1", "test-happened.v1"], read.Select(e => e.Type));
            Assert.All(read, e => Assert.Equal(stream, e.StreamId));
        }
    }

    [SkippableFact]
    public async Task Each_event_chains_to_the_previous_one_and_its_hash_verifies_on_read()
    {
        var store = Store;
        var stream = NewStream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(0, 3));
        await store.AppendAsync(stream, ExpectedRevision.Exact(2), [Event(new TestDocumented("ünïcödé \"quoted\" <b>", 1.50m, Instant.FromUtc(2025, 1, 2, 3, 4, 5)))]);
        await store.AppendAsync(stream, ExpectedRevision.Any, Happened(4, 2));

        var events = Assert.IsType<ReadStreamResult.Found>(await store.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 10)).Events;

        Assert.Equal(6, events.Count);
        Assert.Equal("", events[0].PreviousHash);
        for (var i = 1; i < events.Count; i++) Assert.Equal(events[i - 1].Hash, events[i].PreviousHash);
        Assert.All(events, e => Assert.True(EventHash.Verify(e), $"revision {e.Revision} does not verify"));
        Assert.Equal(6, events.Select(e => e.Hash).Distinct().Count());
        var documented = (TestDocumented)Serializer.Deserialize(events[3].Type, events[3].Data.Span);
        Assert.Equal(1.50m.ToString(System.Globalization.CultureInfo.InvariantCulture), documented.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [SkippableFact]
    public async Task A_stream_that_grows_while_it_is_verified_is_intact()
    {
        var store = Store;
        var stream = NewStream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(0, 3));

        // Two events land after the walk has read the stream and before its tail is checked, as a busy stream's would.
        var report = await new ChainVerifier(new AppendsBeforeTheTailCheck(store, stream, Happened(3, 2))).VerifyStreamAsync(stream);

        Assert.Null(report.FirstBrokenLink);
        Assert.Equal(5, report.EventsChecked);
    }

    /// <summary>The store, with one append slipped in just before the verifier's first backwards read (its tail check).</summary>
    private sealed class AppendsBeforeTheTailCheck(IEventStore inner, string stream, EventToAppend[] late) : IEventStore
    {
        private bool _appended;

        public Task<AppendResult> AppendAsync(string streamId, ExpectedRevision expected, IReadOnlyList<EventToAppend> events, CancellationToken cancellationToken = default) =>
            inner.AppendAsync(streamId, expected, events, cancellationToken);

        public async Task<ReadStreamResult> ReadStreamAsync(string streamId, ReadDirection direction, StreamRevision from, int maxCount, CancellationToken cancellationToken = default)
        {
            if (direction == ReadDirection.Backwards && !_appended)
            {
                _appended = true;
                await inner.AppendAsync(stream, ExpectedRevision.Any, late, cancellationToken);
            }
            return await inner.ReadStreamAsync(streamId, direction, from, maxCount, cancellationToken);
        }

        public IAsyncEnumerable<RecordedEvent> ReadAllAsync(GlobalPosition after, int maxCount, CancellationToken cancellationToken = default) =>
            inner.ReadAllAsync(after, maxCount, cancellationToken);

        public IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(GlobalPosition after, CancellationToken cancellationToken = default) =>
            inner.SubscribeToAllAsync(after, cancellationToken);
    }

    [SkippableFact]
    public async Task A_one_megabyte_event_round_trips_or_is_refused_whole_under_the_servers_limit()
    {
        var store = Store;
        var stream = NewStream();
        var text = string.Concat(Enumerable.Range(0, 1024 * 1024 / 16).Select(i => $"line {i:D10}\n"));
        var big = Event(new TestDocumented(text, 12.34m, Instant.FromUtc(2025, 6, 1, 0, 0)));
        Assert.True(big.Data.Length >= 1024 * 1024);

        if (MaxAppendSize is { } limit && big.Data.Length > limit)
        {
            // EventStoreDB with its default limit (1 MiB for data and metadata together): the ledger knows it and refuses the
            // append before sending it, naming the limit; nothing is written. A larger configured limit takes it (ADR 0006).
            var tooLarge = await Assert.ThrowsAsync<Ledger.EventStore.EventStoreDb.EventStoreDbAppendTooLargeException>(
                () => store.AppendAsync(stream, ExpectedRevision.NoStream, [big]));
            Assert.Equal(limit, tooLarge.MaximumAppendSize);
            Assert.True(tooLarge.AppendSize > big.Data.Length, $"counted {tooLarge.AppendSize} bytes for {big.Data.Length} bytes of data");
            Assert.IsType<ReadStreamResult.StreamNotFound>(await store.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 1));
            return;
        }

        Assert.IsType<AppendResult.Success>(await store.AppendAsync(stream, ExpectedRevision.NoStream, [big]));
        var read = Assert.Single(Assert.IsType<ReadStreamResult.Found>(await store.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 1)).Events);
        Assert.Equal(text, ((TestDocumented)Serializer.Deserialize(read.Type, read.Data.Span)).Text);
        Assert.True(EventHash.Verify(read));
    }

    [SkippableFact]
    public async Task Two_thousand_small_events_append_read_and_stream_in_order()
    {
        var store = Store;
        var stream = NewStream();
        var start = await EndOfAll();
        for (var batch = 0; batch < 20; batch++)
            Assert.IsType<AppendResult.Success>(await store.AppendAsync(stream, ExpectedRevision.After(batch * 100 - 1), Happened(batch * 100, 100)));

        var read = new List<RecordedEvent>();
        while (read.Count < 2000)
        {
            var page = Assert.IsType<ReadStreamResult.Found>(await store.ReadStreamAsync(stream, ReadDirection.Forwards, new StreamRevision(read.Count), 500)).Events;
            Assert.NotEmpty(page);
            read.AddRange(page);
        }
        using var patience = Patience();
        await using var subscription = store.SubscribeToAllAsync(start, patience.Token).Where(e => e.StreamId == stream).GetAsyncEnumerator(patience.Token);
        var streamed = await Take(subscription, 2000);

        Assert.Equal(Enumerable.Range(0, 2000), read.Select(N));
        Assert.Equal(Enumerable.Range(0, 2000), streamed.Select(N));
        AssertStrictlyIncreasing(streamed);
        for (var i = 1; i < read.Count; i++) Assert.Equal(read[i - 1].Hash, read[i].PreviousHash);
    }

    private async Task<long> LastRevision(string stream) =>
        await Store.ReadStreamAsync(stream, ReadDirection.Backwards, StreamRevision.End, 1) is ReadStreamResult.Found found
            ? found.LastRevision
            : -1;

    /// <summary>The position of the last event in the store now, so a test reads only what comes after.</summary>
    private async Task<GlobalPosition> EndOfAll()
    {
        var position = GlobalPosition.Start;
        while (true)
        {
            var page = await Store.ReadAllAsync(position, 1000).ToListAsync();
            if (page.Count == 0) return position;
            position = page[^1].Position;
        }
    }

    internal static async Task<List<RecordedEvent>> Take(IAsyncEnumerator<RecordedEvent> subscription, int count)
    {
        var taken = new List<RecordedEvent>(count);
        while (taken.Count < count)
        {
            Assert.True(await subscription.MoveNextAsync(), "the subscription ended");
            taken.Add(subscription.Current);
        }
        return taken;
    }

    internal static void AssertStrictlyIncreasing(IReadOnlyList<RecordedEvent> events)
    {
        for (var i = 1; i < events.Count; i++)
            Assert.True(events[i].Position.Value > events[i - 1].Position.Value,
                $"position {events[i].Position} follows {events[i - 1].Position}");
    }
}
