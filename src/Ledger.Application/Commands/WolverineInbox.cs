using System.Data.Common;
using Npgsql;
using NodaTime;
using Wolverine;
using Wolverine.Persistence.Durability;
using Wolverine.RDBMS;

namespace Ledger.Application.Commands;

/// <summary>Wolverine's inbox: the durable messages, kept in the ledger's PostgreSQL database.</summary>
public sealed class WolverineInbox(IMessageStore messages, WolverineOptions options)
{
    /// <summary>The schema of Wolverine's message tables, as its store says.</summary>
    public static string SchemaOf(IMessageStore messages) =>
        (messages as IMessageDatabase)?.SchemaName ?? throw new InvalidOperationException("Wolverine's messages are not kept in PostgreSQL.");

    /// <summary>The inbox table, as Wolverine's store names it.</summary>
    public static string TableOf(IMessageStore messages) => $"{SchemaOf(messages)}.{DatabaseConstants.IncomingTable}";

    /// <summary>
    /// The "handled" mark of the message a handler runs, for its command unit to carry; null when the inbox does not hold
    /// the message (a message sent in memory) or it is marked already.
    /// </summary>
    public HandledMark? MarkFor(Envelope envelope) =>
        envelope is { Destination: not null, WasPersistedInInbox: true } && envelope.Status != EnvelopeStatus.Handled
            ? new HandledMark(TableOf(messages), envelope, Duration.FromTimeSpan(options.Durability.KeepAfterMessageHandling))
            : null;
}

/// <summary>
/// Wolverine's "handled" mark of a durable message, written in the transaction of the command unit that carries out the
/// message (as Wolverine's own Marten integration does in its transactional middleware), so the effect and the mark commit
/// once instead of twice (issue 13). After that commit the envelope says Handled, and Wolverine skips its own update; a
/// unit that does not commit leaves both undone, and the message is handled again. Only for a handler whose unit is the
/// last thing it does: a mark committed before later work would let a crash skip that work.
/// </summary>
public sealed class HandledMark(string inbox, Envelope envelope, Duration keep)
{
    internal async Task WriteAsync(DbTransaction transaction, Instant now, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"update {inbox} set status = '{EnvelopeStatus.Handled}', keep_until = $1, owner_id = 0 where id = $2",
            (NpgsqlConnection?)transaction.Connection, (NpgsqlTransaction)transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = (now + keep).ToDateTimeOffset() });
        command.Parameters.Add(new NpgsqlParameter { Value = envelope.Id });
        await command.ExecuteNonQueryAsync(ct);
    }

    internal void Committed() => envelope.Status = EnvelopeStatus.Handled;
}
