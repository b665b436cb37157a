using Ledger.Api.Messaging;
using Ledger.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;
using Wolverine.Persistence.Durability;
using Xunit;

namespace Ledger.IntegrationTests.Skeleton;

/// <summary>
/// Wolverine's "handled" mark commits without waiting for the WAL flush, and nothing else written to its inbox does
/// (ADR/0027): a message stored for handling must stay as durable as the server makes it.
/// </summary>
public sealed class HandledMarksTests
{
    [Fact]
    public async Task Only_the_transaction_that_marks_a_message_handled_commits_without_waiting_for_the_flush()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("handledmarks");
        await using var ledger = await RunningLedger.StartAsync(connectionString);
        var messages = ledger.Services.GetRequiredService<IMessageStore>();
        var inbox = HandledMarksCommitWithoutFlush.InboxTable(messages);
        var envelope = new Envelope
        {
            Id = Guid.NewGuid(), Status = EnvelopeStatus.Incoming, Destination = new Uri("local://handled-marks-test"),
            MessageType = "handled-marks-test", ContentType = "application/json", Data = "{}"u8.ToArray(),
        };
        await messages.Inbox.StoreIncomingAsync(envelope);

        // The test cluster commits asynchronously to save time; this connection asks for the production default.
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c synchronous_commit=on" }.ConnectionString);
        await connection.OpenAsync();
        Assert.Equal("off", await SettingAfterAsync(connection, $"update {inbox} set status = 'Handled' where id = @id", envelope.Id));
        Assert.Equal("on", await SettingAfterAsync(connection, $"update {inbox} set attempts = attempts + 1 where id = @id", envelope.Id));
        Assert.Equal("on", await SettingAfterAsync(connection, $"update {inbox} set status = 'Scheduled' where id = @id", envelope.Id));

        // What the trigger keys on is what Wolverine writes when it marks a message handled.
        await messages.Inbox.MarkIncomingEnvelopeAsHandledAsync(envelope);
        await using var status = new NpgsqlCommand($"select status from {inbox} where id = @id", connection);
        status.Parameters.AddWithValue("id", envelope.Id);
        Assert.Equal("Handled", await status.ExecuteScalarAsync());
    }

    /// <summary>Runs the statement in a transaction that is rolled back, and answers the commit setting in force after it.</summary>
    private static async Task<string> SettingAfterAsync(NpgsqlConnection connection, string sql, Guid id)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var update = new NpgsqlCommand(sql, connection, transaction))
        {
            update.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }
        await using var setting = new NpgsqlCommand("select current_setting('synchronous_commit')", connection, transaction);
        var value = (string)(await setting.ExecuteScalarAsync())!;
        await transaction.RollbackAsync();
        return value;
    }
}
