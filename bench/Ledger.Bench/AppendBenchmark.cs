using System.Diagnostics;
using Ledger.EventStore;
using Ledger.EventStore.EventStoreDb;
using Ledger.EventStore.Marten;
using Ledger.LocalPostgres;
using Npgsql;
using NodaTime;

namespace Ledger.Bench;

public sealed record AppendParameters(string Backend, int Writers, int Events, int EventsPerStream);

/// <summary>An event shaped like a priced quote line: about 500 bytes of JSON, as the ledger writes.</summary>
public sealed record BenchQuoteLinePriced(
    string QuoteId, int Line, string Sku, string ProductName, string Description, decimal Quantity, string Unit,
    decimal ListPrice, decimal DiscountPercent, decimal NetPrice, string Currency, string PricingPolicyId,
    string ApprovalLevel, Instant PricedAt, string[] Tags);

/// <summary>
/// <c>writers</c> concurrent writers, each appending one event per append to streams of its own with the exact revision
/// it last wrote, measured two ways one after the other: <b>as the command path appends</b> (the writer holds its
/// stream's tail, revision and hash, as a command that loaded its stream to decide does, and appends the chained events
/// through the backend: one round trip, as the official client's writer that knows its revision) and <b>through the
/// port</b> (<see cref="HashChainingEventStore.AppendAsync"/>, which reads the newest event for the hash it chains from:
/// two round trips).
/// </summary>
public static class AppendBenchmark
{
    private static readonly EventTypeRegistry Registry = new EventTypeRegistry().Register<BenchQuoteLinePriced>("bench-quote-line-priced.v1");
    private static readonly EventSerializer Serializer = new(Registry);

    public static async Task<AppendResultReport> RunAsync(AppendParameters parameters, Action<string> log)
    {
        var environment = new Dictionary<string, string>();
        await using var backend = await OpenAsync(parameters.Backend, environment, log);
        var store = new HashChainingEventStore(backend.Backend);
        var runId = Guid.NewGuid().ToString("N")[..8];

        // One append per writer before the clock starts: connection pools, schema caches and JIT warm up.
        await Task.WhenAll(Enumerable.Range(0, parameters.Writers).Select(w =>
            store.AppendAsync($"warmup-{runId}-{w}", ExpectedRevision.NoStream, [NewEvent($"warmup-{w}", 0)])));

        // Others may share the machine; the load around the run says how far to trust the figure.
        environment["loadavg_before"] = LoadAverage();
        var commandPath = await MeasureAsync(parameters, $"{runId}-cmd", async (stream, revision, tailHash) =>
        {
            var chained = HashChainingEventStore.Chain([NewEvent(stream, revision)], tailHash);
            return (await backend.Backend.AppendAsync(stream, ExpectedRevision.After(revision - 1), chained, CancellationToken.None), chained[^1].Hash);
        });
        var throughPort = await MeasureAsync(parameters, $"{runId}-port", async (stream, revision, _) =>
            (await store.AppendAsync(stream, ExpectedRevision.After(revision - 1), [NewEvent(stream, revision)]), ""));
        environment["loadavg_after"] = LoadAverage();

        return new AppendResultReport(parameters, environment, NewEvent("bench-sample", 0).Data.Length, commandPath, throughPort);
    }

    /// <summary>One append: the stream, the revision it writes, the hash of the writer's tail ("" for a new stream).</summary>
    private delegate Task<(AppendResult Result, string Hash)> AppendOne(string stream, int revision, string tailHash);

    private static async Task<AppendFigures> MeasureAsync(AppendParameters parameters, string runId, AppendOne append)
    {
        var perWriter = Enumerable.Range(0, parameters.Writers)
            .Select(w => parameters.Events / parameters.Writers + (w < parameters.Events % parameters.Writers ? 1 : 0))
            .ToArray();
        var latencies = new double[parameters.Writers][];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, parameters.Writers).Select(w => Task.Run(async () =>
        {
            var own = new double[perWriter[w]];
            var tailHash = "";
            for (var i = 0; i < perWriter[w]; i++)
            {
                var stream = $"bench-{runId}-w{w}-s{i / parameters.EventsPerStream}";
                var revision = i % parameters.EventsPerStream;
                if (revision == 0) tailHash = "";
                var started = Stopwatch.GetTimestamp();
                var (result, hash) = await append(stream, revision, tailHash);
                own[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (result is not AppendResult.Success)
                    throw new InvalidOperationException($"Append to {stream} at revision {revision} was refused: {result}");
                tailHash = hash;
            }
            latencies[w] = own;
        })));
        clock.Stop();

        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new AppendFigures(clock.Elapsed.TotalSeconds, all.Length / clock.Elapsed.TotalSeconds, new Dictionary<string, double>
        {
            ["p50"] = BenchResults.Percentile(all, 0.50),
            ["p95"] = BenchResults.Percentile(all, 0.95),
            ["p99"] = BenchResults.Percentile(all, 0.99),
            ["max"] = all[^1],
            ["mean"] = all.Average(),
        });
    }

    /// <summary>An event as the run appends them (for the official client's run to send the same body).</summary>
    public static EventToAppend SampleEvent() => NewEvent("bench-sample", 0);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";

    private static EventToAppend NewEvent(string stream, int n)
    {
        var body = new BenchQuoteLinePriced(
            QuoteId: stream, Line: n, Sku: $"SKU-{n % 97:D5}-ENT", ProductName: "Ledger Enterprise Subscription (annual)",
            Description: "Annual subscription, 24x7 support, EU data residency, volume tier 3; renewal uplift capped at 5 %.",
            Quantity: 25 + n % 10, Unit: "seat", ListPrice: 1_249.00m, DiscountPercent: 12.5m, NetPrice: 1_092.88m,
            Currency: "EUR", PricingPolicyId: "policy-2025-enterprise-eu", ApprovalLevel: "regional-director",
            PricedAt: Instant.FromUnixTimeSeconds(1_760_000_000 + n), Tags: ["enterprise", "eu", "renewal", "tier-3"]);
        var (type, data) = Serializer.Serialize(body);
        return new EventToAppend(Guid.NewGuid(), type, data, new EventMetadata(
            CorrelationId: $"corr-{Guid.NewGuid():N}", CausationId: $"cmd-{Guid.NewGuid():N}", Actor: "bench@ledger.local",
            SourceSystem: "bench", IdempotencyKey: null, RecordedAt: SystemClock.Instance.GetCurrentInstant()));
    }

    private static async Task<OpenBackend> OpenAsync(string backend, Dictionary<string, string> environment, Action<string> log)
    {
        if (backend == "esdb")
        {
            var connectionString = Environment.GetEnvironmentVariable("LEDGER_TEST_ESDB")
                ?? throw new InvalidOperationException("--backend esdb needs LEDGER_TEST_ESDB, e.g. esdb://127.0.0.1:2113?tls=false");
            environment["server"] = connectionString;
            var esdb = new EventStoreDbBackend(connectionString);
            return new OpenBackend(esdb, () => { esdb.Dispose(); return Task.CompletedTask; });
        }

        ThrowawayCluster? cluster = null;
        string connection;
        if (Environment.GetEnvironmentVariable("LEDGER_BENCH_POSTGRES") is { Length: > 0 } configured)
        {
            connection = configured;
            environment["server"] = "LEDGER_BENCH_POSTGRES";
        }
        else
        {
            cluster = await ThrowawayCluster.StartAsync("append");
            log($"started a throwaway durable cluster (fsync on) in {cluster.Folder}");
            connection = cluster.ConnectionString;
            environment["server"] = $"throwaway cluster, {cluster.Binaries.BinFolder}";
        }
        var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connection) { MaxPoolSize = 100 }.ConnectionString);
        await using (var settings = dataSource.CreateCommand(
                         "select version(), current_setting('fsync'), current_setting('synchronous_commit'), current_setting('wal_sync_method')"))
        await using (var reader = await settings.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            environment["postgres"] = reader.GetString(0);
            environment["fsync"] = reader.GetString(1);
            environment["synchronous_commit"] = reader.GetString(2);
            environment["wal_sync_method"] = reader.GetString(3);
        }
        var marten = LedgerMarten.CreateStore(connection, Serializer);
        await SchemaMigration.ApplyAsync(marten);
        return new OpenBackend(new MartenBackend(marten, dataSource, Serializer), async () =>
        {
            marten.Dispose();
            await dataSource.DisposeAsync();
            if (cluster is not null) await cluster.DisposeAsync();
        });
    }

    private sealed class OpenBackend(IEventStoreBackend backend, Func<Task> close) : IAsyncDisposable
    {
        public IEventStoreBackend Backend => backend;
        public ValueTask DisposeAsync() => new(close());
    }
}
