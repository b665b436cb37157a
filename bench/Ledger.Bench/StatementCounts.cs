using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// Which statements a load ran, per command (pg_stat_statements, loaded with <c>commands --statements</c>): where the
/// transactions and round trips per command come from. Counted in the ledger's database only.
/// </summary>
public sealed class StatementCounts(NpgsqlDataSource dataSource)
{
    public static async Task<StatementCounts> StartAsync(string connectionString)
    {
        var counts = new StatementCounts(NpgsqlDataSource.Create(connectionString));
        await using var create = counts._dataSource.CreateCommand("create extension if not exists pg_stat_statements");
        await create.ExecuteNonQueryAsync();
        await using var reset = counts._dataSource.CreateCommand("select pg_stat_statements_reset()");
        await reset.ExecuteNonQueryAsync();
        return counts;
    }

    private readonly NpgsqlDataSource _dataSource = dataSource;

    /// <summary>The most frequent statements since the start, with their calls per command.</summary>
    public async Task<List<(double PerCommand, string Statement)>> TopAsync(int commands, int top = 30)
    {
        await using var command = _dataSource.CreateCommand(
            "select s.calls, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 110) from pg_stat_statements s " +
            "join pg_database d on d.oid = s.dbid where d.datname = current_database() order by s.calls desc limit @top");
        command.Parameters.AddWithValue("top", top);
        var rows = new List<(double, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add((reader.GetInt64(0) / (double)commands, reader.GetString(1)));
        await _dataSource.DisposeAsync();
        return rows;
    }
}
