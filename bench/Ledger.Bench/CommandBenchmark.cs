using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text.RegularExpressions;
using Ledger.Application;
using Ledger.EventStore;
using Ledger.EventStore.Marten;
using Ledger.LocalPostgres;
using Marten;
using Ledger.Domain.Common;

namespace Ledger.Bench;

/// <summary>
/// <c>commands --clients 1,16,64 --seconds 20</c>: the real HTTP API (in-process Kestrel, with the billing simulator
/// answering handoffs) on a throwaway durable cluster, driven by C clients running quote journeys; in the same run,
/// <c>pgbench -N</c> and raw Marten appends (one session per append) at the same concurrency, as references. Then
/// the projection lag under a sustained load paced at half the best throughput.
/// </summary>
public static class CommandBenchmark
{
    private const int WarmUpRoundSeconds = 10;

    /// <summary>Warm-up ends when a round compiles fewer methods than this (tier-1 promotions and new methods alike).</summary>
    private const long SettledJitMethodsPerRound = 500;

    private static readonly TimeSpan MaxWarmUp = TimeSpan.FromMinutes(3);

    /// <param name="statements">Also count the statements of each unpaced load (pg_stat_statements) and print them per command.</param>
    public static async Task<int> RunAsync(int[] levels, int seconds, string outFolder, bool statements = false)
    {
        await using var cluster = await ThrowawayCluster.StartAsync("commands", countStatements: statements);
        await using var ledger = await LedgerUnderTest.StartAsync(cluster.ConnectionString);
        await cluster.CreateDatabaseAsync("pgbench");
        await Pgbench(cluster, ["-i", "-q", "-s", "1", "pgbench"]);
        // Raw Marten in a database of its own, as Marten comes: in the ledger's database its appends would go through the
        // ledger's quarantine trigger (ADR/0025), be counted as rows the ledger did not write, and slow the reference down.
        var rawDatabase = await cluster.CreateDatabaseAsync("rawmarten");
        using var raw = DocumentStore.For(options =>
        {
            options.Connection(rawDatabase);
            options.DatabaseSchemaName = "raw";
            options.Events.StreamIdentity = JasperFx.Events.StreamIdentity.AsString; // as the ledger's streams are
        });
        await raw.Storage.ApplyAllConfiguredChangesToDatabaseAsync();

        var rows = new List<object>();
        var runs = new List<LoadResult>();
        Console.WriteLine("| clients | ledger cmds/s | p50 ms | p95 ms | p99 ms | errors | projection lag p50 / p99 ms | reaction lag p50 / p99 ms | reactions caught up after (s) | transactions / command | of which wrote | WAL flushes / command | pgbench -N tps | raw Marten appends/s | ledger/pgbench | ledger/raw Marten |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var clients in levels)
        {
            await WarmUpAsync(ledger, clients);
            var counts = statements ? await StatementCounts.StartAsync(cluster.ConnectionString) : null;
            // Each measurement starts from a checkpoint, so none pays for the dirty pages the one before it left.
            await Checkpoint(cluster);
            var jitBefore = JitInfo.GetCompiledMethodCount();
            var run = await QuoteJourneyLoad.RunAsync(ledger, clients, seconds);
            Console.WriteLine($"  methods compiled by the JIT during the measured run: {JitInfo.GetCompiledMethodCount() - jitBefore}");
            if (counts is not null)
                foreach (var (perCommand, statement) in await counts.TopAsync(run.Commands))
                    Console.WriteLine(FormattableString.Invariant($"  {perCommand,6:F2} / command  {statement}"));
            await Checkpoint(cluster);
            var pgbench = await PgbenchTps(cluster, clients, seconds);
            await Checkpoint(cluster);
            var marten = await MartenLoad(raw, clients, seconds);
            runs.Add(run);
            var row = new { run, pgbenchTps = pgbench, rawMartenAppendsPerSecond = marten, ledgerToPgbench = run.CommandsPerSecond / pgbench, ledgerToRawMarten = run.CommandsPerSecond / marten };
            rows.Add(row);
            Console.WriteLine(FormattableString.Invariant(
                $"| {clients} | {run.CommandsPerSecond:F0} | {run.P50:F1} | {run.P95:F1} | {run.P99:F1} | {run.Errors} | {run.LagP50:F0} / {run.LagP99:F0} | {run.ReactionLagP50:F0} / {run.ReactionLagP99:F0} | {run.ReactionsCaughtUpSeconds:F1} | {run.TransactionsPerCommand:F1} | {run.WriteTransactionsPerCommand:F2} | {run.WalSyncsPerCommand:F2} | {pgbench:F0} | {marten:F0} | {row.ledgerToPgbench:F2} | {row.ledgerToRawMarten:F2} |"));
        }

        // Lag under sustained load at half the best throughput, with the client count that reached it; then the same two
        // loads (best, half) with the daemon woken in process by its node's commits, and by NOTIFY on every append (ADR/0015).
        var best = runs.MaxBy(r => r.CommandsPerSecond)!;
        var half = await QuoteJourneyLoad.RunAsync(ledger, best.Clients, seconds, best.CommandsPerSecond / 2);
        var other = new Dictionary<string, (LoadResult Best, LoadResult Half)>();
        foreach (var wake in new[] { "in-process", "notify" })
        {
            await ledger.StopAsync();
            ledger.Settings["Ledger:Projections:Wake"] = wake;
            await ledger.StartAsync();
            await WarmUpAsync(ledger, best.Clients);
            other[wake] = (await QuoteJourneyLoad.RunAsync(ledger, best.Clients, seconds),
                await QuoteJourneyLoad.RunAsync(ledger, best.Clients, seconds, best.CommandsPerSecond / 2));
        }
        Console.WriteLine();
        Console.WriteLine("| daemon | load | target cmds/s | achieved cmds/s | p50 ms | p99 ms | errors | events projected | projection lag p50 / p99 ms | reactions | reaction lag p50 / p99 ms | waits for a reaction | transactions / command | of which wrote | WAL flushes / command |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var (daemon, run) in new[]
                 {
                     ("polling (default)", best), ("polling (default)", half), ("woken in process", other["in-process"].Best),
                     ("woken in process", other["in-process"].Half), ("woken by NOTIFY", other["notify"].Best), ("woken by NOTIFY", other["notify"].Half),
                 })
            Console.WriteLine(FormattableString.Invariant(
                $"| {daemon} | {run.Clients} clients, {(run.TargetCommandsPerSecond is null ? "unpaced" : "half of best")} | {run.TargetCommandsPerSecond:F0} | {run.CommandsPerSecond:F0} | {run.P50:F1} | {run.P99:F1} | {run.Errors} | {run.ProjectedEvents} | {run.LagP50:F0} / {run.LagP99:F0} | {run.Reactions} | {run.ReactionLagP50:F0} / {run.ReactionLagP99:F0} | {run.ReactionWaits} | {run.TransactionsPerCommand:F1} | {run.WriteTransactionsPerCommand:F2} | {run.WalSyncsPerCommand:F2} |"));

        // The write path alone, last (its backlog is never projected): the same load with no projection daemon in the process.
        await ledger.StopAsync();
        ledger.Settings.Remove("Ledger:Projections:Wake");
        ledger.Settings["Ledger:Projections:RunDaemon"] = "false";
        await ledger.StartAsync();
        var aloneClients = levels.Contains(16) ? 16 : levels.Max(); // the level the issue's targets name
        await WarmUpAsync(ledger, aloneClients, measureLag: false);
        var writePathAlone = await QuoteJourneyLoad.RunAsync(ledger, aloneClients, seconds, measureLag: false);
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant(
            $"write path alone ({writePathAlone.Clients} clients, no projection daemon): {writePathAlone.CommandsPerSecond:F0} cmds/s, p50 {writePathAlone.P50:F1} ms, p99 {writePathAlone.P99:F1} ms, {writePathAlone.TransactionsPerCommand:F2} transactions ({writePathAlone.WriteTransactionsPerCommand:F2} that wrote) and {writePathAlone.WalSyncsPerCommand:F2} WAL flushes per command, {writePathAlone.Errors} errors"));

        await BenchResults.WriteAsync(outFolder, "commands", "commands",
            new { levels, seconds, backend = "postgres (throwaway cluster, fsync on)", journey = "draft, line, price, submit (every 5th: deal-desk grant), send, accept, order" },
            new
            {
                rows, writePathAlone, halfOfBest = half,
                wokenInProcess = new { best = other["in-process"].Best, halfOfBest = other["in-process"].Half },
                wokenByNotify = new { best = other["notify"].Best, halfOfBest = other["notify"].Half },
            });
        return 0;
    }

    /// <summary>
    /// Runs the load in rounds until the JIT has settled: the API, its Wolverine handlers (compiled at start, ADR/0004),
    /// Marten and the clients share this process, and on two busy cores tiered compilation promotes their hot methods for
    /// a minute or more (about 80,000 methods compiled; a fixed 10 s warm-up measured the JIT, not the ledger). Stops
    /// when a round compiles fewer than <see cref="SettledJitMethodsPerRound"/> methods, or after <see cref="MaxWarmUp"/>.
    /// </summary>
    private static async Task WarmUpAsync(LedgerUnderTest ledger, int clients, bool measureLag = true)
    {
        var warming = Stopwatch.StartNew();
        long compiled;
        do
        {
            var before = JitInfo.GetCompiledMethodCount();
            await QuoteJourneyLoad.RunAsync(ledger, clients, WarmUpRoundSeconds, measureLag: measureLag);
            compiled = JitInfo.GetCompiledMethodCount() - before;
        } while (compiled >= SettledJitMethodsPerRound && warming.Elapsed < MaxWarmUp);
        Console.WriteLine(FormattableString.Invariant($"  warm-up: {warming.Elapsed.TotalSeconds:F0} s at {clients} clients, {compiled} methods compiled in its last {WarmUpRoundSeconds} s round"));
    }

    /// <summary>One Marten session per append of one ~500-byte event, C workers, as a command's write would be without the ledger around it.</summary>
    private static async Task<double> MartenLoad(DocumentStore store, int clients, int seconds)
    {
        var appends = 0;
        var until = Stopwatch.StartNew();
        var payload = new string('x', 400);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var stream = $"raw-{Guid.NewGuid():N}";
            while (until.Elapsed.TotalSeconds < seconds)
            {
                await using var session = store.LightweightSession();
                session.Events.Append(stream, new Domain.Customers.CustomerRegistered(new CustomerId(stream), payload, null, "bench", NodaTime.SystemClock.Instance.GetCurrentInstant()));
                await session.SaveChangesAsync();
                Interlocked.Increment(ref appends);
            }
        })));
        return appends / until.Elapsed.TotalSeconds;
    }

    private static async Task Checkpoint(ThrowawayCluster cluster)
    {
        await using var connection = new Npgsql.NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var checkpoint = new Npgsql.NpgsqlCommand("checkpoint", connection);
        await checkpoint.ExecuteNonQueryAsync();
    }

    private static async Task<double> PgbenchTps(ThrowawayCluster cluster, int clients, int seconds)
    {
        var output = await Pgbench(cluster, ["-N", "-c", clients.ToString(), "-j", Math.Min(clients, Environment.ProcessorCount).ToString(), "-T", seconds.ToString(), "pgbench"]);
        var match = Regex.Match(output, @"tps = ([0-9.]+)");
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : throw new InvalidOperationException($"pgbench said: {output}");
    }

    private static async Task<string> Pgbench(ThrowawayCluster cluster, string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(cluster.Binaries.BinFolder, "pgbench"), ["-h", "127.0.0.1", "-p", cluster.Port.ToString(), "-U", LocalPostgresCluster.Superuser, .. arguments])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            Environment = { ["PGPASSFILE"] = cluster.PasswordFile },
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("pgbench did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"pgbench exited {process.ExitCode}: {await stderr}");
        return await stdout + await stderr;
    }
}
