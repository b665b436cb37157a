using Ledger.EventStore.Marten;
using Ledger.EventStore.Writing;
using Npgsql;
using Xunit;
using static Ledger.EventStore.Tests.TestEvents;

namespace Ledger.EventStore.Tests.Postgres;

/// <summary>
/// A derived write commits without waiting for its flush, an acknowledged one waits, and the setting never outlives
/// its transaction on a pooled connection (ADR/0027): the pool keeps session state (NoResetOnClose), so a leak would
/// silently make the next client's command asynchronous.
/// </summary>
public sealed class DurabilityTests(PostgresEventStore postgres) : IClassFixture<PostgresEventStore>
{
    [Fact]
    public async Task Derived_work_commits_without_waiting_for_the_flush_and_the_next_command_on_the_same_connection_waits()
    {
        await using var oneConnection = OneConnection();
        var sessions = new MartenWriteSessions(oneConnection, new MartenEventWriterFactory(postgres.Marten, Serializer));
        var stream = NewStream();

        Assert.Equal("off", await CommitAsync(sessions, Durability.Derived, stream, Happened(0, 1)));
        Assert.Equal("on", await CommitAsync(sessions, Durability.Acknowledged, stream, Happened(1, 1)));
        Assert.Equal("off", await CommitAsync(sessions, Durability.Derived, stream, Happened(2, 1)));

        var read = Assert.IsType<ReadStreamResult.Found>(await postgres.Store.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 10));
        Assert.Equal([0, 1, 2], read.Events.Select(N));
    }

    [Fact]
    public void Only_an_acknowledged_unit_that_appended_waits_for_its_flush()
    {
        Assert.True(DurabilitySql.WaitsForFlush(Durability.Acknowledged, appended: true));
        Assert.False(DurabilitySql.WaitsForFlush(Durability.Acknowledged, appended: false)); // a refusal: its answer only
        Assert.False(DurabilitySql.WaitsForFlush(Durability.Derived, appended: true));
    }

    [Fact]
    public async Task A_refusal_stores_its_answer_without_waiting_and_the_next_command_on_the_same_connection_waits()
    {
        await using var oneConnection = OneConnection();
        var sessions = new MartenWriteSessions(oneConnection, new MartenEventWriterFactory(postgres.Marten, Serializer));
        var stream = NewStream();
        var key = new AnswerKey("durability-test", Guid.NewGuid().ToString());
        // The API's migration creates the answers' table; this suite's store has only the event tables.
        await using (var create = oneConnection.CreateCommand(AnswerTable.Schema().ToBasicCreateTableSql()))
            await create.ExecuteNonQueryAsync();

        await using (var refusal = sessions.Open(key, Durability.Acknowledged))
        {
            await refusal.ReadAsync(stream, forWrite: true, CancellationToken.None);
            await refusal.CommitAsync(new StoredAnswer("hash", 409, "application/problem+json", null, "{}"u8.ToArray()), CancellationToken.None);
        }
        Assert.Equal("on", await CommitAsync(sessions, Durability.Acknowledged, stream, Happened(0, 1)));

        await using var retry = sessions.Open(key, Durability.Acknowledged);
        Assert.Equal(409, (await retry.FindAnswerAsync(CancellationToken.None))?.StatusCode);
    }

    [Fact]
    public async Task The_daemons_transaction_that_moves_a_projection_position_commits_without_waiting_and_the_next_transaction_waits()
    {
        await using var oneConnection = OneConnection();
        await using var connection = await oneConnection.OpenConnectionAsync();

        // What the daemon does in each batch: the documents, then its position, in one transaction.
        await using (var batch = await connection.BeginTransactionAsync())
        {
            await using (var move = new NpgsqlCommand(
                             $"insert into {LedgerMarten.DefaultSchema}.mt_event_progression (name, last_seq_id, last_updated) values (@name, 1, now())",
                             connection, batch))
            {
                move.Parameters.AddWithValue("name", $"durability-test-{Guid.NewGuid():N}");
                await move.ExecuteNonQueryAsync();
            }
            Assert.Equal("off", await SettingAsync(connection, batch));
            await batch.CommitAsync();
        }

        // A transaction that does not move a position, on the same connection: the server's default again.
        await using var next = await connection.BeginTransactionAsync();
        await using (var read = new NpgsqlCommand($"select count(*) from {LedgerMarten.DefaultSchema}.mt_event_progression", connection, next))
            await read.ExecuteScalarAsync();
        Assert.Equal("on", await SettingAsync(connection, next));
    }

    private static async Task<string> SettingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        await using var setting = new NpgsqlCommand("select current_setting('synchronous_commit')", connection, transaction);
        return (string)(await setting.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// One physical connection: the next session is sure to get the one the last used. The test cluster commits
    /// asynchronously to save time; the connection asks for the production default.
    /// </summary>
    private NpgsqlDataSource OneConnection() => NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(postgres.ConnectionString)
    {
        MaxPoolSize = 1,
        NoResetOnClose = true,
        Options = "-c synchronous_commit=on",
    }.ConnectionString);

    /// <summary>Appends in a session and answers the commit setting in force inside its transaction.</summary>
    private static async Task<string> CommitAsync(MartenWriteSessions sessions, Durability durability, string stream, EventToAppend[] events)
    {
        await using var session = sessions.Open(null, durability);
        var read = await session.ReadAsync(stream, forWrite: true, CancellationToken.None);
        await session.AppendAsync(read, events, CancellationToken.None);
        var transaction = (NpgsqlTransaction)await session.TransactionAsync(CancellationToken.None);
        await using var setting = new NpgsqlCommand("select current_setting('synchronous_commit')", transaction.Connection, transaction);
        var inForce = (string)(await setting.ExecuteScalarAsync())!;
        await session.CommitAsync(null, CancellationToken.None);
        return inForce;
    }
}
