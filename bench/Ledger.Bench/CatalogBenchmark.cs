namespace Ledger.Bench;

/// <summary>
/// <c>catalog --versions 1,1000 --clients 1,16 --seconds 20</c>: command latency through the real HTTP API with that
/// many catalog versions published. Commands read the catalog from a cache caught up by revision, so a long catalog
/// history should cost a command nothing; the ratio of the largest to the smallest catalog says whether it does.
/// </summary>
public static class CatalogBenchmark
{
    public static async Task<int> RunAsync(int[] versions, int[] levels, int seconds, string outFolder)
    {
        await using var cluster = await ThrowawayCluster.StartAsync("catalog");
        await using var ledger = await LedgerUnderTest.StartAsync(cluster.ConnectionString);
        using var admin = ledger.Client(LedgerUnderTest.AdminKey);
        var published = 1; // LedgerUnderTest publishes the version the journeys quote from
        var rows = new List<(int Versions, LoadResult Run)>();
        foreach (var target in versions.Order())
        {
            for (; published < target; published++)
                await LedgerUnderTest.Send(admin, "/catalog/versions", new
                {
                    version = $"bench-{published}",
                    offerings = new[] { new { productOfferingId = "PLAT-ENT", name = "Platform", listPrices = new[] { new { currency = "USD", amount = 1000m + published } } } },
                });
            Console.WriteLine($"catalog: {published} versions published");
            foreach (var clients in levels)
            {
                await QuoteJourneyLoad.RunAsync(ledger, clients, Math.Max(5, seconds / 2)); // warm-up: JIT tiers, the catalog cache catches up
                rows.Add((published, await QuoteJourneyLoad.RunAsync(ledger, clients, seconds)));
            }
        }

        Console.WriteLine("| catalog versions | clients | cmds/s | p50 ms | p95 ms | p99 ms | errors |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (count, run) in rows.OrderBy(r => r.Run.Clients).ThenBy(r => r.Versions))
            Console.WriteLine(FormattableString.Invariant($"| {count:N0} | {run.Clients} | {run.CommandsPerSecond:F0} | {run.P50:F1} | {run.P95:F1} | {run.P99:F1} | {run.Errors} |"));
        var ratios = rows.GroupBy(r => r.Run.Clients).ToDictionary(g => g.Key.ToString(), g =>
        {
            var (smallest, largest) = (g.MinBy(r => r.Versions).Run, g.MaxBy(r => r.Versions).Run);
            return new { p50 = largest.P50 / smallest.P50, p99 = largest.P99 / smallest.P99, commandsPerSecond = largest.CommandsPerSecond / smallest.CommandsPerSecond };
        });
        foreach (var (clients, ratio) in ratios)
            Console.WriteLine(FormattableString.Invariant($"{clients} clients, most / fewest catalog versions: p50 {ratio.p50:F2}, p99 {ratio.p99:F2}, cmds/s {ratio.commandsPerSecond:F2}"));

        await BenchResults.WriteAsync(outFolder, "catalog", "catalog",
            new { versions, levels, seconds, backend = "postgres (throwaway cluster, fsync on)" },
            new { rows = rows.Select(r => new { catalogVersions = r.Versions, run = r.Run }), mostToFewest = ratios });
        return 0;
    }
}
