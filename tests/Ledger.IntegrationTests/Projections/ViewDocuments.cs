using Ledger.Projections;
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
}
