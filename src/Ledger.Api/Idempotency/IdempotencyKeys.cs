using Npgsql;
using Weasel.Postgresql.Tables;

namespace Ledger.Api.Idempotency;

/// <summary>A finished request: what the first attempt with a key answered, replayed to every retry.</summary>
public sealed record StoredResponse(string RequestHash, int StatusCode, string? ContentType, string? Location, byte[] Body);

/// <summary>
/// The table of finished requests per (client, key). It holds responses, not facts: the events carry the
/// facts, and their ids are derived from the key, so a crash before a row is written still cannot
/// duplicate anything (ADR/0009).
/// </summary>
public sealed class IdempotencyKeys(NpgsqlDataSource dataSource)
{
    private const string TableName = "ledger.idempotency_keys";

    public static Table Schema()
    {
        var table = new Table(TableName);
        table.AddColumn<string>("client").AsPrimaryKey();
        table.AddColumn<string>("key").AsPrimaryKey();
        table.AddColumn<string>("request_hash").NotNull();
        table.AddColumn<int>("status_code").NotNull();
        table.AddColumn<string>("content_type");
        table.AddColumn<string>("location");
        table.AddColumn("body", "bytea").NotNull();
        table.AddColumn("created_at", "timestamptz").NotNull().DefaultValueByExpression("now()");
        return table;
    }

    /// <summary>
    /// Holds a session-level advisory lock on (client, key) until disposed, so that two attempts with one key
    /// run one after the other and the second sees the first's answer. The lock dies with the connection.
    /// </summary>
    public async Task<KeyLock> LockAsync(string client, string key, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand("select pg_advisory_lock(@id)", connection);
            command.Parameters.AddWithValue("id", LockId(client, key));
            await command.ExecuteNonQueryAsync(ct);
            return new KeyLock(connection, client, key);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static long LockId(string client, string key) =>
        BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{client}\n{key}")), 0);

    public sealed class KeyLock(NpgsqlConnection connection, string client, string key) : IAsyncDisposable
    {
        public async Task<StoredResponse?> FindAsync(CancellationToken ct)
        {
            await using var command = new NpgsqlCommand(
                $"select request_hash, status_code, content_type, location, body from {TableName} where client = @client and key = @key",
                connection);
            command.Parameters.AddWithValue("client", client);
            command.Parameters.AddWithValue("key", key);
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return null;
            return new StoredResponse(reader.GetString(0), reader.GetInt32(1),
                reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                (byte[])reader[4]);
        }

        public async Task SaveAsync(StoredResponse response, CancellationToken ct)
        {
            await using var command = new NpgsqlCommand(
                $"""
                 insert into {TableName} (client, key, request_hash, status_code, content_type, location, body)
                 values (@client, @key, @hash, @status, @contentType, @location, @body)
                 on conflict (client, key) do nothing
                 """, connection);
            command.Parameters.AddWithValue("client", client);
            command.Parameters.AddWithValue("key", key);
            command.Parameters.AddWithValue("hash", response.RequestHash);
            command.Parameters.AddWithValue("status", response.StatusCode);
            command.Parameters.AddWithValue("contentType", (object?)response.ContentType ?? DBNull.Value);
            command.Parameters.AddWithValue("location", (object?)response.Location ?? DBNull.Value);
            command.Parameters.AddWithValue("body", response.Body);
            await command.ExecuteNonQueryAsync(ct);
        }

        public async ValueTask DisposeAsync()
        {
            // A pooled connection keeps its session (and its locks) until reused, so unlock explicitly. A connection
            // the server dropped (a restart) took the lock with it: nothing to unlock, and the answer already stands.
            try
            {
                if (connection.State == System.Data.ConnectionState.Open)
                {
                    await using var command = new NpgsqlCommand("select pg_advisory_unlock(@id)", connection);
                    command.Parameters.AddWithValue("id", LockId(client, key));
                    await command.ExecuteNonQueryAsync();
                }
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                // The session is gone; so is its lock.
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
