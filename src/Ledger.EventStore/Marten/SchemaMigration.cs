using JasperFx;
using Marten;
using Npgsql;
using Weasel.Core.Migrations;
using Weasel.Postgresql;

namespace Ledger.EventStore.Marten;

/// <summary>
/// Applies the configured schema under Marten's global migration lock, as <c>ApplyAllDatabaseChangesOnStartup</c>
/// does in a host. <c>store.Storage.ApplyAllConfiguredChangesToDatabaseAsync()</c> takes no lock, so two
/// processes migrating one empty database at once collide on "relation already exists".
/// </summary>
public static class SchemaMigration
{
    public static async Task ApplyAsync(IDocumentStore store, CancellationToken ct = default)
    {
        var database = (PostgresqlDatabase)store.Storage.Database;
        await database.ApplyAllConfiguredChangesToDatabaseAsync(new MigrationLock(((StoreOptions)store.Options).ApplyChangesLockId), AutoCreate.CreateOrUpdate, ct: ct);
    }

    private sealed class MigrationLock(int lockId) : IGlobalLock<NpgsqlConnection>
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

        public async Task<AttainLockResult> TryAttainLock(NpgsqlConnection conn, CancellationToken ct = default)
        {
            // Wait for the other migrator rather than give up: once it is done, our delta is empty.
            var deadline = DateTime.UtcNow + Patience;
            while (true)
            {
                var result = await conn.TryGetGlobalLock(lockId, cancellation: ct);
                if (result.Succeeded || result.ShouldReconnect || DateTime.UtcNow >= deadline) return result;
                await Task.Delay(100, ct);
            }
        }

        public Task ReleaseLock(NpgsqlConnection conn, CancellationToken ct = default) =>
            conn.ReleaseGlobalLock(lockId, cancellation: ct);
    }
}
