using Ledger.EventStore.Marten;
using Ledger.Testing;
using Xunit;
using static Ledger.EventStore.Tests.TestEvents;

namespace Ledger.EventStore.Tests.Postgres;

/// <summary>
/// A subscription reads at once when this process commits events (ADR/0017), not a poll later. Both tests poll every five
/// minutes, far beyond their patience, so what arrives came from the wake and not from a poll.
/// </summary>
public sealed class SubscriptionWakeTests(PostgresEventStore postgres) : IClassFixture<PostgresEventStore>
{
    private static readonly MartenBackendOptions PollingRarely = new() { PollInterval = TimeSpan.FromMinutes(5) };

    [Fact]
    public async Task An_append_by_this_process_reaches_a_waiting_subscription_without_a_poll()
    {
        var stream = NewStream();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var subscription = await WaitingSubscriptionAsync(postgres.Store, stream, patience.Token);

        await postgres.Store.AppendAsync(stream, ExpectedRevision.Exact(0), Happened(1, 1));

        Assert.Equal([1], (await EventStoreContract.Take(subscription, 1)).Select(N));
    }

    [Fact]
    public async Task An_append_by_another_process_waits_for_the_poll()
    {
        // Another process: its own document store over the same database, so its commits signal nobody here.
        using var elsewhere = LedgerMarten.CreateStore(postgres.ConnectionString, Serializer);
        var otherProcess = new HashChainingEventStore(new MartenBackend(elsewhere, postgres.DataSource, Serializer));
        var stream = NewStream();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var subscription = await WaitingSubscriptionAsync(otherProcess, stream, patience.Token);

        await otherProcess.AppendAsync(stream, ExpectedRevision.Exact(0), Happened(1, 1));
        var next = subscription.MoveNextAsync().AsTask();

        // The control of the test above: no wake, and no poll for five minutes, so nothing arrives while we look.
        Assert.NotSame(next, await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(3))));
        await patience.CancelAsync();
        Assert.False(await next); // the wait ends on cancellation, with nothing handed out
    }

    /// <summary>
    /// A stream's first event appended by <paramref name="writer"/>, and a subscription of this process polling every five
    /// minutes that has handed it out: its first read came back short, so it now waits for the next poll (or a wake).
    /// </summary>
    private async Task<IAsyncEnumerator<RecordedEvent>> WaitingSubscriptionAsync(IEventStore writer, string stream, CancellationToken ct)
    {
        var subscriber = new HashChainingEventStore(new MartenBackend(postgres.Marten, postgres.DataSource, Serializer, PollingRarely));
        await writer.AppendAsync(stream, ExpectedRevision.NoStream, Happened(0, 1));
        var subscription = subscriber.SubscribeToAllAsync(GlobalPosition.Start, ct).Where(e => e.StreamId == stream).GetAsyncEnumerator(ct);
        Assert.Equal([0], (await EventStoreContract.Take(subscription, 1)).Select(N));
        return subscription;
    }
}
