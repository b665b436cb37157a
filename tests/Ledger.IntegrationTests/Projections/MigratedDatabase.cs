using Ledger.Application;
using Ledger.EventStore;
using Ledger.EventStore.Marten;
using Ledger.Projections;
using Ledger.Testing;
using Marten;
using Npgsql;

namespace Ledger.IntegrationTests.Projections;

/// <summary>A database of its own with the ledger's schema as this version migrates it, for the tests of what the migration mends.</summary>
internal static class MigratedDatabase
{
    public static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A new database with the ledger's schema as this version migrates it; its connection string and schema.</summary>
    public static async Task<(string ConnectionString, string Schema)> CreateAsync(string name)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync(name);
        using var store = Store(connectionString);
        await SchemaMigration.ApplyAsync(store);
        return (connectionString, store.Options.DatabaseSchemaName);
    }

    public static DocumentStore Store(string connectionString) => DocumentStore.For(o =>
    {
        o.Connection(connectionString);
        LedgerMarten.ConfigureEventStore(o, new EventSerializer(LedgerEventTypes.Registry()));
        LedgerProjections.Configure(o);
    });
}
