using Ledger.EventStore.Marten;
using Npgsql;
using Xunit;
using static Ledger.EventStore.Tests.TestEvents;

namespace Ledger.EventStore.Tests.Postgres;

public sealed class SubscriptionReconnectTests(PostgresEventStore postgres) : IClassFixture<PostgresEventStore>
{
    [Fact]
    public async Task A_subscription_whose_connections_are_killed_resumes_after_the_last_event_it_handed_out()
    {
        const string applicationName = "ledger-subscriber";
        await using var subscriberSource = NpgsqlDataSource.Create(
            new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { ApplicationName = applicationName }.ConnectionString);
        var subscriber = new HashChainingEventStore(new MartenBackend(postgres.Marten, subscriberSource, Serializer,
            new MartenBackendOptions { PollInterval = TimeSpan.FromMilliseconds(20) }));
        var stream = NewStream();
        await postgres.Store.AppendAsync(stream, ExpectedRevision.NoStream, Happened(0, 3));
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var subscription = subscriber.SubscribeToAllAsync(GlobalPosition.Start, patience.Token)
            .Where(e => e.StreamId == stream).GetAsyncEnumerator(patience.Token);
        var before = await EventStoreContract.Take(subscription, 3);

        await using (var kill = postgres.DataSource.CreateCommand(
                         "select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = @name"))
        {
            kill.Parameters.AddWithValue("name", applicationName);
            Assert.True((long)(await kill.ExecuteScalarAsync())! > 0, "no subscriber connection to kill");
        }
        await postgres.Store.AppendAsync(stream, ExpectedRevision.Exact(2), Happened(3, 3));
        var after = await EventStoreContract.Take(subscription, 3);

        Assert.Equal([0, 1, 2, 3, 4, 5], before.Concat(after).Select(N));
    }
}
