using Ledger.EventStore.Writing;
using Npgsql;
using Wolverine;
using Wolverine.Persistence.Durability;
using Wolverine.RDBMS;

namespace Ledger.Api.Messaging;

/// <summary>
/// Wolverine's mark that a durable message was handled (an <c>update … set status = 'Handled'</c> of its inbox row, in a
/// transaction of its own after the handler's) commits without waiting for the WAL flush (ADR/0027): a row trigger on the
/// inbox sets <c>synchronous_commit = off</c> for the transaction that writes the mark, and for nothing else. A server crash
/// loses at most a suffix of the WAL, so a lost mark means the message is handled again, and every handler the ledger has
/// is idempotent (ADR/0017): the mark's flush bought nothing. Wolverine creates its tables at its own start, outside Marten's
/// migration, so this runs after it (hosted services start in registration order) and creates the trigger when it is missing.
/// </summary>
public sealed class HandledMarksCommitWithoutFlush(IMessageStore messages, NpgsqlDataSource dataSource, ILogger<HandledMarksCommitWithoutFlush> log)
    : IHostedService
{
    public const string TriggerName = "ledger_handled_marks_without_flush_v1";

    /// <summary>The schema of Wolverine's message tables (in Marten's database), as Wolverine's store says.</summary>
    public static string SchemaOf(IMessageStore messages) =>
        (messages as IMessageDatabase)?.SchemaName ?? throw new InvalidOperationException("Wolverine's messages are not kept in PostgreSQL.");

    /// <summary>Wolverine's inbox, as its store names it.</summary>
    public static string InboxTable(IMessageStore messages) => $"{SchemaOf(messages)}.{DatabaseConstants.IncomingTable}";

    public async Task StartAsync(CancellationToken ct)
    {
        var inbox = InboxTable(messages);
        var schema = SchemaOf(messages);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Nodes starting together: one creates, the others find it (a trigger's DDL locks the inbox, so it is not run when present).
        await using var command = new NpgsqlCommand(
            $$"""
              select pg_advisory_xact_lock(hashtext('{{TriggerName}}'));
              select to_regclass('{{inbox}}') is not null,
                     exists (select 1 from pg_trigger where tgname = '{{TriggerName}}' and tgrelid = to_regclass('{{inbox}}'));
              """, connection, transaction);
        bool inboxExists, triggerExists;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            (inboxExists, triggerExists) = (reader.GetBoolean(0), reader.GetBoolean(1));
        }
        if (!inboxExists)
        {
            log.LogWarning("Wolverine's inbox {Inbox} is missing: its handled marks wait for the WAL flush", inbox);
            return;
        }
        if (!triggerExists)
        {
            await using var create = new NpgsqlCommand(
                DurabilitySql.CommitWithoutFlushTriggerFunction($"{schema}.{TriggerName}") +
                $$"""
                  create trigger {{TriggerName}} after update on {{inbox}}
                    for each row when (new.status = '{{EnvelopeStatus.Handled}}' and old.status is distinct from '{{EnvelopeStatus.Handled}}')
                    execute function {{schema}}.{{TriggerName}}();
                  """, connection, transaction);
            await create.ExecuteNonQueryAsync(ct);
            log.LogInformation("Wolverine's handled marks on {Inbox} now commit without waiting for the WAL flush", inbox);
        }
        await transaction.CommitAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
