using Npgsql;

namespace Ledger.Bench;

/// <summary>
/// <c>growth --history 10000,10000000 --clients 1,16 --seconds 20</c>: command latency through the real HTTP API with
/// each amount of history already in the store. The history is copies of journeys the API itself wrote (events,
/// streams, views and idempotency keys; <see cref="HistoryCopy"/>), marked as already projected, so a run measures
/// what a command pays for history, not a daemon catching up.
/// </summary>
public static class GrowthBenchmark
{
    public static async Task<int> RunAsync(long[] histories, int[] levels, int seconds, string outFolder)
    {
        await using var cluster = await ThrowawayCluster.StartAsync("growth");
        await using var ledger = await LedgerUnderTest.StartAsync(cluster.ConnectionString);
        await using var db = NpgsqlDataSource.Create(cluster.ConnectionString);
        var schema = ledger.Views.Options.Events.DatabaseSchemaName;
        var template = await QuoteJourneyLoad.RunAsync(ledger, levels.Max(), 3);
        Console.WriteLine($"template: {template.Commands} commands of run {template.Run}");

        var rows = new List<object>();
        var byLevel = new Dictionary<int, List<(long History, LoadResult Run)>>();
        foreach (var target in histories.Order())
        {
            await ledger.StopAsync();
            var load = System.Diagnostics.Stopwatch.StartNew();
            var history = await HistoryCopy.GrowAsync(db, schema, $"Q-{template.Run}-", target, line => Console.Write($"\r{line}   "));
            await HistoryCopy.MarkProjectedAsync(db, schema);
            Console.WriteLine($"\rhistory: {history:N0} events, written in {load.Elapsed.TotalSeconds:F0} s; database {await ScalarAsync(db, "select pg_size_pretty(pg_database_size(current_database()))")}");
            await ledger.StartAsync();
            foreach (var clients in levels)
            {
                await QuoteJourneyLoad.RunAsync(ledger, clients, Math.Max(3, seconds / 4)); // warm-up: JIT tiers, caches, connection pools
                var run = await QuoteJourneyLoad.RunAsync(ledger, clients, seconds);
                (byLevel.TryGetValue(clients, out var list) ? list : byLevel[clients] = []).Add((history, run));
                rows.Add(new { historyEvents = history, run });
            }
        }

        Console.WriteLine("| events in store | clients | cmds/s | p50 ms | p95 ms | p99 ms | errors |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (clients, list) in byLevel)
            foreach (var (history, run) in list)
                Console.WriteLine(FormattableString.Invariant($"| {history:N0} | {clients} | {run.CommandsPerSecond:F0} | {run.P50:F1} | {run.P95:F1} | {run.P99:F1} | {run.Errors} |"));
        var ratios = byLevel.ToDictionary(l => l.Key.ToString(), l => new
        {
            p50 = l.Value[^1].Run.P50 / l.Value[0].Run.P50,
            p99 = l.Value[^1].Run.P99 / l.Value[0].Run.P99,
            commandsPerSecond = l.Value[^1].Run.CommandsPerSecond / l.Value[0].Run.CommandsPerSecond,
        });
        foreach (var (clients, ratio) in ratios)
            Console.WriteLine(FormattableString.Invariant($"{clients} clients, largest / smallest history: p50 {ratio.p50:F2}, p99 {ratio.p99:F2}, cmds/s {ratio.commandsPerSecond:F2}"));

        await BenchResults.WriteAsync(outFolder, "growth", "growth",
            new { histories, levels, seconds, backend = "postgres (throwaway cluster, fsync on)", history = "copies of API-written journeys, marked projected" },
            new { rows, largestToSmallest = ratios });
        return 0;
    }

    private static async Task<string> ScalarAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return (await command.ExecuteScalarAsync())?.ToString() ?? "";
    }
}
