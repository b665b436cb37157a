using Ledger.EventStore;
using Npgsql;

namespace Ledger.Application.Reactions;

/// <summary>Where reactions stand: the processor's position, whether it has reacted to everything, and what is stuck.</summary>
/// <param name="EventsBehind">Events after the position, counted up to the limit the reader asked for.</param>
/// <param name="DeadLetters">Durable messages Wolverine gave up on (a billing send, a timeout check) after its own retries.</param>
public sealed record ReactionStatus(long Position, long EventsBehind, IReadOnlyList<ParkedReaction> Parked, long DeadLetters)
{
    public bool Stuck => Parked.Count > 0 || DeadLetters > 0;
}

/// <summary>Reads <see cref="ReactionStatus"/> for /reactions, /health, /metrics and <c>ledger reactions</c>.</summary>
public sealed class ReactionBacklog(ReactionProcessor processor, ReactionStore reactions, IEventStore store, NpgsqlDataSource db)
{
    public const int CountLimit = 10_000;

    /// <param name="countLimit">How far to count the events behind: each is read, so /health asks only as far as its threshold.</param>
    public async Task<ReactionStatus> ReadAsync(CancellationToken ct, int countLimit = CountLimit)
    {
        // The leader knows its position in memory; any other node reads the one the leader saved.
        var position = Math.Max(processor.Position, await reactions.PositionAsync(ReactionProcessor.CheckpointName, ct));
        var behind = 0L;
        await foreach (var _ in store.ReadAllAsync(new GlobalPosition((ulong)position), countLimit, ct)) behind++;
        return new ReactionStatus(position, behind, await reactions.ParkedAsync(ct), await DeadLettersAsync(ct));
    }

    /// <summary>Wolverine keeps dead letters in its own table, in whichever schema its PostgreSQL store was given.</summary>
    private async Task<long> DeadLettersAsync(CancellationToken ct)
    {
        await using var find = db.CreateCommand(
            "select format('%I.%I', table_schema, table_name) from information_schema.tables where table_name = 'wolverine_dead_letters'");
        var tables = new List<string>();
        await using (var reader = await find.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) tables.Add(reader.GetString(0));
        var total = 0L;
        foreach (var table in tables)
        {
            await using var count = db.CreateCommand($"select count(*) from {table}");
            total += (long)(await count.ExecuteScalarAsync(ct))!;
        }
        return total;
    }
}
