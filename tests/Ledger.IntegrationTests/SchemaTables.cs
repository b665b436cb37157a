using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ledger.IntegrationTests;

public static class SchemaTables
{
    public static async Task<long> CountAsync(IServiceProvider services, string schema)
    {
        await using var command = services.GetRequiredService<NpgsqlDataSource>()
            .CreateCommand("select count(*) from information_schema.tables where table_schema = @schema");
        command.Parameters.AddWithValue("schema", schema);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
