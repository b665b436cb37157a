using Ledger.Application;
using Ledger.EventStore;
using Ledger.EventStore.Marten;
using Ledger.Projections;
using Ledger.Testing;
using Marten;

namespace Ledger.IntegrationTests.Projections;

/// <summary>A fresh database with the ledger's schema (event store, views, the occurrences' index), for tests that store views directly.</summary>
public static class StoredViews
{
    /// <summary>The store's owner disposes it.</summary>
    public static async Task<DocumentStore> CreateStoreAsync(string purpose)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync(purpose);
        var documents = DocumentStore.For(o =>
        {
            o.Connection(connectionString);
            LedgerMarten.ConfigureEventStore(o, new EventSerializer(LedgerEventTypes.Registry()));
            LedgerProjections.Configure(o);
        });
        await SchemaMigration.ApplyAsync(documents);
        return documents;
    }
}
