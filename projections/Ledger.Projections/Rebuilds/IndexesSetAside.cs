using Npgsql;

namespace Ledger.Projections.Rebuilds;

/// <summary>
/// Indexes a <see cref="OnePassRebuild"/> drops while it fills their table from empty and builds again at its end from their
/// own definitions (<c>pg_get_indexdef</c>): one sorted build instead of an insertion per row. Only indexes nothing in the
/// pass reads by: the occurrence index's list indexes (<see cref="Reconciliation.DiscrepancyRows.ListIndexes"/>), whose
/// upkeep was the larger part of the pass's writing (ADR/0014, "Rebuilds"). A pass that dies between the two leaves them
/// missing until the next schema migration (every start) creates them again.
/// </summary>
internal sealed class IndexesSetAside
{
    private readonly IReadOnlyList<string> _definitions;

    private IndexesSetAside(IReadOnlyList<string> definitions) => _definitions = definitions;

    /// <param name="indexes">Schema-qualified index names; one that does not exist is passed over.</param>
    public static async Task<IndexesSetAside> DropAsync(NpgsqlConnection connection, IReadOnlyCollection<string> indexes, CancellationToken ct)
    {
        var found = new List<(string Name, string Definition)>();
        await using (var command = new NpgsqlCommand(
            "select name, pg_get_indexdef(to_regclass(name)) from unnest(@indexes::text[]) as name where to_regclass(name) is not null order by 1", connection))
        {
            command.Parameters.AddWithValue("indexes", indexes.ToArray());
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
