using Npgsql;
using Weasel.Postgresql.Tables;

namespace Ledger.EventStore.Writing;

/// <summary>
/// The table of finished requests per (client, key). It holds answers, not facts: the events carry the facts and
/// their ids are derived from the key, so an answer lost in a crash cannot duplicate anything (ADR/0009).
/// </summary>
public static class AnswerTable
{
    public const string Name = "ledger.idempotency_keys";

    public static Table Schema()
    {
        var table = new Table(Name);
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

    public static NpgsqlBatchCommand Find(AnswerKey key)
    {
        var command = new NpgsqlBatchCommand(
            $"select request_hash, status_code, content_type, location, body from {Name} where client = $1 and key = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = key.Client });
        command.Parameters.Add(new NpgsqlParameter { Value = key.Key });
        return command;
    }

    public static async Task<StoredAnswer?> ReadAsync(NpgsqlDataReader reader, CancellationToken ct) =>
        await reader.ReadAsync(ct)
            ? new StoredAnswer(reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), (byte[])reader[4])
            : null;

    /// <summary>Plain insert: a concurrent attempt that stored its answer first makes this one a conflict, and its retry replays that answer.</summary>
    public static NpgsqlBatchCommand Insert(AnswerKey key, StoredAnswer answer)
    {
        var command = new NpgsqlBatchCommand(
            $"insert into {Name} (client, key, request_hash, status_code, content_type, location, body) values ($1, $2, $3, $4, $5, $6, $7)");
        command.Parameters.Add(new NpgsqlParameter { Value = key.Client });
        command.Parameters.Add(new NpgsqlParameter { Value = key.Key });
        command.Parameters.Add(new NpgsqlParameter { Value = answer.RequestHash });
        command.Parameters.Add(new NpgsqlParameter { Value = answer.StatusCode });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)answer.ContentType ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)answer.Location ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = answer.Body });
        return command;
    }
}
