using System.Text;
using Ledger.EventStore.EventStoreDb;
using NodaTime;
using Xunit;

namespace Ledger.EventStore.Tests.EventStoreDb;

/// <summary>Runs only when <c>LEDGER_TEST_ESDB</c> names a server, e.g. <c>esdb://127.0.0.1:2113?tls=false</c>.</summary>
public sealed class EsdbFactAttribute : FactAttribute
{
    public const string Variable = "LEDGER_TEST_ESDB";

    public EsdbFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)))
            Skip = $"Set {Variable} to an EventStoreDB connection string to run this test.";
    }

    public static string? ConnectionString => Environment.GetEnvironmentVariable(Variable);
}

/// <summary>
/// ESDB-specific behaviour on a real server, beside the shared contract suite: ESDB's own idempotency,
/// positions of multi-event appends, error mapping, and the subscription's filter and reconnects.
/// </summary>
public sealed class EventStoreDbServerTests : IDisposable
{
    private readonly EventStoreDbBackend _backend = new(EsdbFactAttribute.ConnectionString ?? "esdb://127.0.0.1:1?tls=false");

    public void Dispose() => _backend.Dispose();

    private static string NewStream() => $"esdb-test-{Guid.NewGuid():N}";

    private static EventToAppend Event(int n, Guid? id = null) => new(
        id ?? Guid.NewGuid(), "test-happened.v1", Encoding.UTF8.GetBytes($$"""{"n":{{n}}}"""),
        new EventMetadata("corr", "cause", "tester", "tests", null, SystemClock.Instance.GetCurrentInstant()));

    private static IReadOnlyList<ChainedEvent> Chain(params EventToAppend[] events)
    {
        var previous = "";
        var chained = new List<ChainedEvent>();
        foreach (var e in events)
        {
            var hash = EventHash.Compute(e.Type, e.Data.Span, e.Metadata, previous);
            chained.Add(new ChainedEvent(e, previous, hash));
            previous = hash;
        }
        return chained;
    }

    [EsdbFact]
    public async Task An_append_over_the_servers_maximum_append_size_is_refused_with_the_limit_and_writes_nothing()
    {
        // Configured above the server's own limit, so that the server is the one to refuse.
        using var trusting = new EventStoreDbBackend(EventStoreDbConnectionString.Parse(EsdbFactAttribute.ConnectionString!) with { MaxAppendSize = 32L * 1024 * 1024 });
        var stream = NewStream();
        // 8 MiB of data: above ESDB's default 1 MiB and the 4 MiB ADR 0006 starts test servers with.
        var big = new EventToAppend(Guid.NewGuid(), "test-documented.v1",
            Encoding.UTF8.GetBytes($$"""{"text":"{{new string('x', 8 * 1024 * 1024)}}"}"""),
            new EventMetadata("corr", "cause", "tester", "tests", null, SystemClock.Instance.GetCurrentInstant()));

        var refused = await Assert.ThrowsAsync<EventStoreDbAppendTooLargeException>(() => trusting.AppendAsync(stream, ExpectedRevision.NoStream, Chain(big)));

        Assert.NotNull(refused.MaximumAppendSize);
        Assert.Null(refused.AppendSize); // the server's refusal, not the ledger's
        Assert.True(refused.MaximumAppendSize < big.Data.Length);
        Assert.Contains($"{refused.MaximumAppendSize} bytes", refused.Message);
        Assert.IsType<ReadStreamResult.StreamNotFound>(await _backend.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 1));
    }

    [EsdbFact]
    public async Task An_append_over_the_configured_maximum_append_size_is_refused_before_it_is_sent()
    {
        const long limit = 64 * 1024;
        using var limited = new EventStoreDbBackend(EventStoreDbConnectionString.Parse(EsdbFactAttribute.ConnectionString!) with { MaxAppendSize = limit });
        var stream = NewStream();
        EventToAppend Sized(int bytes) => new(Guid.NewGuid(), "test-documented.v1", Encoding.UTF8.GetBytes($$"""{"text":"{{new string('x', bytes)}}"}"""),
            new EventMetadata("corr", "cause", "tester", "tests", null, SystemClock.Instance.GetCurrentInstant()));

        // Two events that fit one by one but not together: the limit is per append, data and metadata of all its events.
        var refused = await Assert.ThrowsAsync<EventStoreDbAppendTooLargeException>(
            () => limited.AppendAsync(stream, ExpectedRevision.NoStream, Chain(Sized(40 * 1024), Sized(40 * 1024))));
        Assert.Equal(limit, refused.MaximumAppendSize);
        Assert.True(refused.AppendSize > limit);
        Assert.Contains($"{limit} bytes", refused.Message);
        Assert.IsType<ReadStreamResult.StreamNotFound>(await _backend.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 1));

        Assert.IsType<AppendResult.Success>(await limited.AppendAsync(stream, ExpectedRevision.NoStream, Chain(Sized(40 * 1024))));
    }

    [EsdbFact]
    public async Task Append_then_read_back_with_envelope_revisions_and_positions()
    {
        var stream = NewStream();
        var events = Chain(Event(1), Event(2), Event(3));

        var result = Assert.IsType<AppendResult.Success>(await _backend.AppendAsync(stream, ExpectedRevision.NoStream, events));
        Assert.Equal(2, result.LastRevision);
        Assert.False(result.Deduplicated);

        var found = Assert.IsType<ReadStreamResult.Found>(
            await _backend.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 10));
        Assert.Equal(2, found.LastRevision);
        Assert.Equal([0L, 1L, 2L], found.Events.Select(e => e.Revision));
        Assert.Equal(events.Select(e => e.Event.EventId), found.Events.Select(e => e.EventId));
        Assert.All(found.Events, e => Assert.True(EventHash.Verify(e)));
        // Each event of a multi-event append has its own, increasing position; the append answers the last one's.
        Assert.True(found.Events[0].Position.CompareTo(found.Events[1].Position) < 0);
        Assert.True(found.Events[1].Position.CompareTo(found.Events[2].Position) < 0);
        Assert.Equal(found.Events[2].Position, result.Position);

        // $all from the first event's position yields the two after it, exactly.
        var after = await _backend.ReadAllAsync(found.Events[0].Position, 2).ToListAsync();
        Assert.Equal(found.Events.Skip(1).Select(e => e.EventId), after.Select(e => e.EventId));
    }

    [EsdbFact]
    public async Task A_retry_with_the_same_ids_and_expected_revision_writes_nothing_and_answers_the_original_revision_and_position()
    {
        var stream = NewStream();
        var first = Chain(Event(1), Event(2));
        var original = Assert.IsType<AppendResult.Success>(await _backend.AppendAsync(stream, ExpectedRevision.NoStream, first));

        // ESDB answers a repeat of known ids exactly as it answered the write (no read-back tells them apart, ADR/0006).
        var retry = Assert.IsType<AppendResult.Success>(await _backend.AppendAsync(stream, ExpectedRevision.NoStream, first));
        Assert.Equal(original, retry);

        var next = Chain(Event(3));
        var third = Assert.IsType<AppendResult.Success>(await _backend.AppendAsync(stream, ExpectedRevision.Exact(1), next));
        var again = Assert.IsType<AppendResult.Success>(await _backend.AppendAsync(stream, ExpectedRevision.Exact(1), next));
        Assert.Equal(third, again);
        Assert.Equal(2, again.LastRevision);

        var all = Assert.IsType<ReadStreamResult.Found>(
            await _backend.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 10));
        Assert.Equal(3, all.Events.Count);
        Assert.Equal(original.Position, all.Events[1].Position);
        Assert.Equal(third.Position, all.Events[2].Position);
    }

    [EsdbFact]
    public async Task Ledgers_with_different_stream_prefixes_share_a_server_without_seeing_each_others_streams()
    {
        var settings = EventStoreDbConnectionString.Parse(EsdbFactAttribute.ConnectionString!);
        var (a, b) = ($"a{Guid.NewGuid():N}.", $"b{Guid.NewGuid():N}.");
        using var ledgerA = new EventStoreDbBackend(settings with { StreamPrefix = a });
        using var ledgerB = new EventStoreDbBackend(settings with { StreamPrefix = b });
        const string stream = "quote-Q-SHARED";

        var first = Assert.IsType<AppendResult.Success>(await ledgerA.AppendAsync(stream, ExpectedRevision.NoStream, Chain(Event(1))));
        // The same ledger stream name in the other namespace is another stream: it starts afresh.
        Assert.IsType<AppendResult.Success>(await ledgerB.AppendAsync(stream, ExpectedRevision.NoStream, Chain(Event(2), Event(3))));

        var inA = Assert.IsType<ReadStreamResult.Found>(await ledgerA.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 10));
        Assert.Equal(stream, Assert.Single(inA.Events).StreamId);
        // On the server the stream carries the prefix; the unprefixed name is nobody's.
        Assert.IsType<ReadStreamResult.Found>(await _backend.ReadStreamAsync(a + stream, ReadDirection.Forwards, StreamRevision.Start, 1));
        Assert.IsType<ReadStreamResult.StreamNotFound>(await _backend.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 1));

        // $all: each ledger reads its own streams only, named as it wrote them.
        var allA = await ledgerA.ReadAllAsync(GlobalPosition.Start, 100_000).ToListAsync();
        Assert.Equal([(stream, 0L)], allA.Select(e => (e.StreamId, e.Revision)));
        Assert.Equal(first.Position, allA[0].Position);
        var allB = await ledgerB.ReadAllAsync(GlobalPosition.Start, 100_000).ToListAsync();
        Assert.Equal([(stream, 0L), (stream, 1L)], allB.Select(e => (e.StreamId, e.Revision)));

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var live = ledgerA.SubscribeToAllAsync(GlobalPosition.Start, patience.Token).GetAsyncEnumerator(patience.Token);
        Assert.True(await live.MoveNextAsync());
        Assert.Equal((stream, 0L), (live.Current.StreamId, live.Current.Revision));
        await ledgerB.AppendAsync(stream, ExpectedRevision.Exact(1), Chain(Event(4)));
        await ledgerA.AppendAsync(stream, ExpectedRevision.Exact(0), Chain(Event(5)));
        Assert.True(await live.MoveNextAsync());
        Assert.Equal((stream, 1L), (live.Current.StreamId, live.Current.Revision)); // not B's event written before it
    }

    [EsdbFact]
    public async Task Wrong_expected_revision_reports_the_actual_revision()
    {
        var stream = NewStream();
        var missing = Assert.IsType<AppendResult.WrongExpectedRevision>(
            await _backend.AppendAsync(stream, ExpectedRevision.Exact(0), Chain(Event(1))));
        Assert.Equal(-1, missing.ActualRevision);

        await _backend.AppendAsync(stream, ExpectedRevision.NoStream, Chain(Event(1), Event(2)));
        var behind = Assert.IsType<AppendResult.WrongExpectedRevision>(
            await _backend.AppendAsync(stream, ExpectedRevision.Exact(0), Chain(Event(3))));
        Assert.Equal(1, behind.ActualRevision);
        Assert.Equal(ExpectedRevision.Exact(0), behind.Expected);

        var exists = Assert.IsType<AppendResult.WrongExpectedRevision>(
            await _backend.AppendAsync(stream, ExpectedRevision.NoStream, Chain(Event(4))));
        Assert.Equal(1, exists.ActualRevision);
    }

    [EsdbFact]
    public async Task Reading_a_missing_stream_is_not_found_and_backwards_reads_report_the_last_revision()
    {
        Assert.IsType<ReadStreamResult.StreamNotFound>(
            await _backend.ReadStreamAsync(NewStream(), ReadDirection.Forwards, StreamRevision.Start, 10));

        var stream = NewStream();
        await _backend.AppendAsync(stream, ExpectedRevision.NoStream, Chain(Event(1), Event(2), Event(3)));
        var tail = Assert.IsType<ReadStreamResult.Found>(
            await _backend.ReadStreamAsync(stream, ReadDirection.Backwards, StreamRevision.End, 2));
        Assert.Equal([2L, 1L], tail.Events.Select(e => e.Revision));
        Assert.Equal(2, tail.LastRevision);

        var head = Assert.IsType<ReadStreamResult.Found>(
            await _backend.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 1));
        Assert.Single(head.Events);
        Assert.Equal(2, head.LastRevision);
    }

    [EsdbFact]
    public async Task Subscription_catches_up_then_goes_live_without_system_events()
    {
        var stream = NewStream();
        var before = Chain(Event(1), Event(2));
        var written = Assert.IsType<AppendResult.Success>(await _backend.AppendAsync(stream, ExpectedRevision.NoStream, before));
        var start = Assert.IsType<ReadStreamResult.Found>(
            await _backend.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 1)).Events[0].Position;

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var seen = new List<RecordedEvent>();
        var live = Chain(Event(3));
        var appendedLive = false;
        await foreach (var e in _backend.SubscribeToAllAsync(start, cts.Token))
        {
            Assert.False(e.Type.StartsWith('$'));
            Assert.False(e.StreamId.StartsWith('$'));
            if (e.StreamId != stream) continue;
            seen.Add(e);
            if (e.Position == written.Position && !appendedLive)
            {
                appendedLive = true;
                await _backend.AppendAsync(stream, ExpectedRevision.Exact(1), live);
            }
            if (seen.Count == 2) break;
        }
        Assert.Equal([before[1].Event.EventId, live[0].Event.EventId], seen.Select(e => e.EventId));
    }

    [EsdbFact]
    public async Task A_dropped_subscription_resumes_after_the_last_event_handed_out()
    {
        var settings = EventStoreDbConnectionString.Parse(EsdbFactAttribute.ConnectionString!);
        await using var proxy = new TcpDropProxy(settings.Host, settings.Port);
        using var viaProxy = new EventStoreDbBackend(settings with { Host = "127.0.0.1", Port = proxy.Port, TlsVerifyCert = false });

        var stream = NewStream();
        var first = Chain(Event(1), Event(2));
        await _backend.AppendAsync(stream, ExpectedRevision.NoStream, first);
        var start = Assert.IsType<ReadStreamResult.Found>(
            await _backend.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 1)).Events[0].Position;

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<RecordedEvent>();
        // Strictly after the first event: revisions 1, 2, 3 are expected, each once.
        await foreach (var e in viaProxy.SubscribeToAllAsync(start, cts.Token))
        {
            if (e.StreamId != stream) continue;
            seen.Add(e);
            if (seen.Count == 1)
            {
                // Cut the connection under the live subscription, then write more while it is down.
                proxy.DropAll();
                await _backend.AppendAsync(stream, ExpectedRevision.Exact(1), Chain(Event(3), Event(4)));
            }
            if (seen.Count == 3) break;
        }
        Assert.True(proxy.Drops >= 1);
        Assert.True(viaProxy.SubscriptionReconnects >= 1);
        Assert.Equal([1L, 2L, 3L], seen.Select(e => e.Revision));
        Assert.Equal(seen.Count, seen.Select(e => e.EventId).Distinct().Count());
    }

    [EsdbFact]
    public async Task Through_the_hash_chaining_port_a_retried_append_is_answered_from_the_stored_events()
    {
        var store = new HashChainingEventStore(_backend);
        var stream = NewStream();
        var events = new[] { Event(1), Event(2) };

        var first = Assert.IsType<AppendResult.Success>(await store.AppendAsync(stream, ExpectedRevision.Any, events));
        var retry = Assert.IsType<AppendResult.Success>(await store.AppendAsync(stream, ExpectedRevision.Any, events));
        Assert.False(first.Deduplicated);
        Assert.True(retry.Deduplicated);
        Assert.Equal(first with { Deduplicated = true }, retry);

        var found = Assert.IsType<ReadStreamResult.Found>(
            await store.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 10));
        Assert.Equal(2, found.Events.Count);
        Assert.Equal(found.Events[0].Hash, found.Events[1].PreviousHash);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_typed_unavailable_error()
    {
        using var nowhere = new EventStoreDbBackend("esdb://127.0.0.1:1?tls=false&defaultDeadline=2000");
        await Assert.ThrowsAsync<EventStoreDbUnavailableException>(() =>
            nowhere.ReadStreamAsync("s", ReadDirection.Forwards, StreamRevision.Start, 1));
    }
}
