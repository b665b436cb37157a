using Ledger.Projections;
using Ledger.Projections.Reconciliation;
using Npgsql;

namespace Ledger.IntegrationTests.Projections;

public static class ViewDocuments
{
    /// <summary>Every projected document, by type and id, as PostgreSQL stores it (jsonb text: key order normalized).</summary>
    public static async Task<Dictionary<string, string>> ReadAsync(string connectionString)
    {
        var documents = new Dictionary<string, string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        // Every registered projection's documents: a new projection is compared without touching this file.
        foreach (var type in LedgerProjections.All.Select(p => p.Document))
        {
            await using var command = new NpgsqlCommand($"select id, data::text from ledger.mt_doc_{type.Name.ToLowerInvariant()}", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) documents[$"{type.Name}/{reader.GetString(0)}"] = reader.GetString(1);
        }
        return documents;
    }

    /// <summary>Every row of the discrepancy occurrence index the views' triggers keep (ADR/0014), one line each, in order.</summary>
    public static async Task<List<string>> ReadOccurrenceIndexAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select concat_ws('|', source, view_id, ordinal, crm, id, rule, owner, status, opened_at, closed_at, ended_at) as row from {DiscrepancyRows.Table("ledger")} order by 1",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }
}
