using Npgsql;

namespace Ledger.Projections.Rebuilds;

/// <summary>
/// The secondary indexes of the tables a <see cref="OnePassRebuild"/> fills from empty, dropped at its start and built again
/// at its end from their own definitions (<c>pg_get_indexdef</c>): one sorted build per index instead of an insertion per
/// row, which was the larger part of the pass's writing (ADR/0014, "Rebuilds"). Kept: primary keys and unique indexes (their
/// rule must hold while rows go in) and the ones the pass itself reads by. A pass that dies between the two leaves the
/// indexes missing until the next schema migration (every start) creates them again: Marten's for its document tables,
/// <see cref="Reconciliation.DiscrepancyRows"/> for its own.
/// </summary>
internal sealed class IndexesSetAside
{
    private readonly IReadOnlyList<string> _definitions;

    private IndexesSetAside(IReadOnlyList<string> definitions) => _definitions = definitions;

    /// <summary>The index definitions set aside, as <c>create index</c> statements.</summary>
    public IReadOnlyList<string> Definitions => _definitions;

    /// <param name="tables">Schema-qualified table names.</param>
    /// <param name="kept">Schema-qualified names of secondary indexes the pass needs.</param>
    public static async Task<IndexesSetAside> DropAsync(NpgsqlConnection connection, IReadOnlyCollection<string> tables, IReadOnlyCollection<string> kept,
        CancellationToken ct)
    {
        var found = new List<(string Name, string Definition)>();
        await using (var command = new NpgsqlCommand("""
            select format('%I.%I', n.nspname, c.relname), pg_get_indexdef(i.indexrelid)
            from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace
            where i.indrelid = any(select to_regclass(t) from unnest(@tables::text[]) as t)
              and not i.indisprimary and not i.indisunique
              and format('%I.%I', n.nspname, c.relname) <> all(@kept::text[])
            order by 1
            """, connection))
        {
            command.Parameters.AddWithValue("tables", tables.ToArray());
            command.Parameters.AddWithValue("kept", kept.ToArray());
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) found.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (name, _) in found)
        {
            await using var drop = new NpgsqlCommand($"drop index {name}", connection);
            await drop.ExecuteNonQueryAsync(ct);
        }
        return new IndexesSetAside(found.Select(f => f.Definition).ToList());
    }

    /// <summary>Builds every index set aside again; one a schema migration made meanwhile is left as it is.</summary>
    public async Task CreateAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        foreach (var definition in _definitions)
        {
            await using var create = new NpgsqlCommand(IfNotExists(definition), connection);
            create.CommandTimeout = 0;
            await create.ExecuteNonQueryAsync(ct);
        }
    }

    private static string IfNotExists(string definition) =>
        definition.StartsWith("CREATE INDEX ", StringComparison.Ordinal) ? "CREATE INDEX IF NOT EXISTS " + definition["CREATE INDEX ".Length..]
            : throw new InvalidOperationException($"Not a plain index definition: {definition}");
}
