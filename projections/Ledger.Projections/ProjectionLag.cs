using Marten;
using NodaTime;
using Npgsql;

namespace Ledger.Projections;

/// <summary>How far one projection trails the event log: in events, and as the age of the oldest event it has not yet applied.</summary>
public sealed record ProjectionLagReading(string Projection, long Position, long HighestEvent, long EventsBehind, Duration Behind);

/// <summary>Reads each projection's progress against the newest event (for /health, the metrics and `ledger projections`).</summary>
public static class ProjectionLag
{
    public static async Task<IReadOnlyList<ProjectionLagReading>> ReadAsync(IDocumentStore store, CancellationToken ct)
    {
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        // The newest stored event (not the sequence's value, which counts values rolled back and starts at 1 when empty).
        await using var newest = new NpgsqlCommand($"select coalesce(max(seq_id), 0) from {schema}.mt_events", connection);
        var highest = Convert.ToInt64(await newest.ExecuteScalarAsync(ct));

        var readings = new List<ProjectionLagReading>();
        foreach (var name in LedgerProjections.Names)
        {
            var position = progress.Where(p => p.ShardName.StartsWith(name + ":", StringComparison.Ordinal)).Select(p => p.Sequence).DefaultIfEmpty(0).Max();
            var behind = Duration.Zero;
            if (position < highest)
            {
                // Measured by the database's clock against the database's append timestamps: one clock, no skew.
                await using var oldest = new NpgsqlCommand(
                    $"select greatest(0, extract(epoch from now() - min(timestamp)))::float8 from {schema}.mt_events where seq_id > @position", connection);
                oldest.Parameters.AddWithValue("position", position);
                if (await oldest.ExecuteScalarAsync(ct) is double seconds) behind = Duration.FromSeconds(seconds);
            }
            readings.Add(new ProjectionLagReading(name, position, highest, Math.Max(0, highest - position), behind));
        }
        return readings;
    }
}
