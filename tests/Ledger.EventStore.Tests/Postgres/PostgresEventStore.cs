using Ledger.EventStore.Marten;
using Ledger.Testing;
using Marten;
using Npgsql;
using Xunit;

namespace Ledger.EventStore.Tests.Postgres;

/// <summary>A fresh database with the event store schema applied, and the Marten backend over it.</summary>
public sealed class PostgresEventStore : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";
    public DocumentStore Marten { get; private set; } = null!;
    public NpgsqlDataSource DataSource { get; private set; } = null!;
    public MartenBackend Backend { get; private set; } = null!;
    public HashChainingEventStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateDatabaseAsync("eventstore");
        Marten = LedgerMarten.CreateStore(ConnectionString, TestEvents.Serializer);
        await SchemaMigration.ApplyAsync(Marten);
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        Backend = new MartenBackend(Marten, DataSource, TestEvents.Serializer, new MartenBackendOptions
        {
            PollInterval = TimeSpan.FromMilliseconds(20),
            GapWait = TimeSpan.FromMilliseconds(500),
        });
        Store = new HashChainingEventStore(Backend);
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        Marten.Dispose();
    }
}
