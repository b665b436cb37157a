using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Ledger.Api;
using Ledger.Application;
using Ledger.BillingSimulator;
using Ledger.EventStore;
using Ledger.EventStore.Marten;
using Ledger.LocalPostgres;
using Ledger.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ledger.Bench;

/// <summary>
/// <c>commands --clients 1,16,64 --seconds 20</c>: the real HTTP API (in-process Kestrel, with the billing simulator
/// answering handoffs) on a throwaway durable cluster, driven by C clients running quote journeys; in the same run,
/// <c>pgbench -N</c> and raw Marten appends (one session per append) at the same concurrency, as references.
/// </summary>
public static class CommandBenchmark
{
    private const string CrmKey = "bench-crm", ApproverKey = "bench-approver", AdminKey = "bench-admin";

    public static async Task<int> RunAsync(int[] levels, int seconds, string outFolder)
    {
        await using var cluster = await ThrowawayCluster.StartAsync("commands");
        var billingUrl = $"http://127.0.0.1:{FreePort()}";
        var apiUrl = $"http://127.0.0.1:{FreePort()}";
        var billing = BillingSimulatorApp.Build(["--urls", billingUrl], b =>
        {
            b.Configuration["Billing:LedgerApiKey"] = "bench-billing";
            b.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await billing.StartAsync();
        var api = LedgerApi.Build(["--urls", apiUrl], b =>
        {
            b.Configuration[LedgerSettings.PostgresVariable] = cluster.ConnectionString;
            b.Configuration["Ledger:PublicUrl"] = apiUrl + "/";
            b.Configuration["Billing:Url"] = billingUrl + "/";
            foreach (var (name, key, role, crm) in new[] { ("crm", CrmKey, "crm", "salesforce"), ("approver", ApproverKey, "approver", null), ("admin", AdminKey, "admin", null), ("billing", "bench-billing", "billing", null) })
            {
                b.Configuration[$"Ledger:Clients:{name}:Key"] = key;
                b.Configuration[$"Ledger:Clients:{name}:Role"] = role;
                if (crm is not null) b.Configuration[$"Ledger:Clients:{name}:Crm"] = crm;
            }
            b.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await api.StartAsync();
        try
        {
            using var admin = Client(apiUrl, AdminKey);
            await Send(admin, "/catalog/versions", new { version = "2026.1", offerings = new[] { new { productOfferingId = "PLAT-ENT", name = "Platform", listPrices = new[] { new { currency = "USD", amount = 1300.00m } } } } });
            await Send(admin, "/pricing-policies", new
            {
                version = "P-2026.1",
                defaults = new { dealDeskAboveDiscountPercent = 10m, vicePresidentAboveDiscountPercent = 20m, cfoAboveDiscountPercent = 30m, cfoAboveNetTotal = new[] { new { currency = "USD", amount = 550000m } } },
            });
            var pgbenchDatabase = await cluster.CreateDatabaseAsync("pgbench");
            await Pgbench(cluster, ["-i", "-q", "-s", "1", "pgbench"]);
            var serializer = new EventSerializer(LedgerEventTypes.Registry());
            using var raw = LedgerMarten.CreateStore(cluster.ConnectionString, serializer);
            var views = api.Services.GetRequiredService<IDocumentStore>();

            var rows = new List<object>();
            Console.WriteLine("| clients | ledger cmds/s | p50 ms | p95 ms | p99 ms | errors | projection lag p50 / p99 ms | pgbench -N tps | raw Marten appends/s | ledger/pgbench | ledger/raw Marten |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var clients in levels)
            {
                await LedgerLoad(apiUrl, views, clients, 3); // warm-up
                var ledger = await LedgerLoad(apiUrl, views, clients, seconds);
                var pgbench = await PgbenchTps(cluster, clients, seconds);
                var marten = await MartenLoad(raw, clients, seconds);
                var row = new
                {
                    clients, ledger.CommandsPerSecond, ledger.P50, ledger.P95, ledger.P99, ledger.Errors, ledger.Commands,
                    projectionLagP50Ms = ledger.LagP50, projectionLagP99Ms = ledger.LagP99,
                    pgbenchTps = pgbench, rawMartenAppendsPerSecond = marten,
                    ledgerToPgbench = ledger.CommandsPerSecond / pgbench, ledgerToRawMarten = ledger.CommandsPerSecond / marten,
                };
                rows.Add(row);
                Console.WriteLine(FormattableString.Invariant(
                    $"| {clients} | {ledger.CommandsPerSecond:F0} | {ledger.P50:F1} | {ledger.P95:F1} | {ledger.P99:F1} | {ledger.Errors} | {ledger.LagP50:F0} / {ledger.LagP99:F0} | {pgbench:F0} | {marten:F0} | {row.ledgerToPgbench:F2} | {row.ledgerToRawMarten:F2} |"));
            }
            await BenchResults.WriteAsync(outFolder, "commands", new
            {
                benchmark = "commands",
                at = DateTimeOffset.UtcNow,
                machine = BenchResults.Machine(),
                commit = BenchResults.Commit(),
                dirty = BenchResults.Dirty(),
                parameters = new { levels, seconds, backend = "postgres (throwaway cluster, fsync on)", journey = "draft, line, price, submit (every 5th: deal-desk grant), send, accept, order" },
                rows,
            });
            return 0;
        }
        finally
        {
            await api.StopAsync();
            await billing.StopAsync();
        }
    }

    private sealed record LoadResult(int Commands, int Errors, double CommandsPerSecond, double P50, double P95, double P99, double LagP50, double LagP99);

    /// <summary>C clients, each running journeys back to back; every HTTP command is one latency sample.</summary>
    private static async Task<LoadResult> LedgerLoad(string apiUrl, IDocumentStore views, int clients, int seconds)
    {
        // Projection lag while the load runs: every 250 ms, the age of the oldest event the furthest-behind projection has not applied.
        var lags = new List<double>();
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                lags.Add((await ProjectionLag.ReadAsync(views, CancellationToken.None)).Max(r => r.Behind.TotalMilliseconds));
                await Task.Delay(250);
            }
        });
        var latencies = new List<double>[clients];
        var errors = 0;
        var run = $"{Guid.NewGuid():N}"[..6];
        var until = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            using var crm = Client(apiUrl, CrmKey);
            using var approver = Client(apiUrl, ApproverKey);
            var samples = latencies[c] = [];
            for (var j = 0; until.Elapsed.TotalSeconds < seconds; j++)
            {
                var q = $"Q-{run}-{c}-{j}";
                var needsApproval = j % 5 == 0;
                (HttpClient, string, object)[] steps =
                [
                    (crm, "/quotes", new { quoteId = q, crmOpportunityId = "OPP-1", crmAccountId = "ACC-1", customerId = "C-1", owner = "rep", currency = "USD", segment = "enterprise",
                        region = "us-east", legalEntity = "LE", timeZone = "America/New_York", priceBookVersion = "2026.1", validFrom = "2026-01-01", validUntil = "2099-12-31" }),
                    (crm, $"/quotes/{q}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 10, discountPercent = needsApproval ? 15 : 5 }),
                    (crm, $"/quotes/{q}/price", new { policyVersion = "P-2026.1" }),
                    (crm, $"/quotes/{q}/submit", new { }),
                    .. needsApproval ? new[] { (approver, $"/approvals/{q}/1/grant", (object)new { level = "DealDesk", approver = "desk" }) } : [],
                    (crm, $"/quotes/{q}/send", new { documentHash = "sha256:doc" }),
                    (crm, $"/quotes/{q}/accept", new { revision = 1, acceptanceType = "signature", signer = "buyer" }),
                    (crm, $"/quotes/{q}/order", new { billingAccount = "BA-1" }),
                ];
                foreach (var (client, path, body) in steps)
                {
                    var clock = Stopwatch.StartNew();
                    using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
                    request.Headers.Add("Idempotency-Key", $"{q}{path}");
                    using var response = await client.SendAsync(request);
                    samples.Add(clock.Elapsed.TotalMilliseconds);
                    if (!response.IsSuccessStatusCode) { Interlocked.Increment(ref errors); break; }
                }
            }
        })).ToList();
        await Task.WhenAll(workers);
        var elapsed = until.Elapsed.TotalSeconds;
        await stopSampling.CancelAsync();
        await sampler;
        var all = latencies.SelectMany(l => l).Order().ToList();
        var lag = lags.Order().ToList();
        return new LoadResult(all.Count, errors, all.Count / elapsed, Percentile(all, 0.50), Percentile(all, 0.95), Percentile(all, 0.99),
            Percentile(lag, 0.50), Percentile(lag, 0.99));
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
                session.Events.Append(stream, new Domain.Customers.CustomerRegistered(stream, payload, null, "bench", NodaTime.SystemClock.Instance.GetCurrentInstant()));
                await session.SaveChangesAsync();
                Interlocked.Increment(ref appends);
            }
        })));
        return appends / until.Elapsed.TotalSeconds;
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
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("pgbench did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"pgbench exited {process.ExitCode}: {await stderr}");
        return await stdout + await stderr;
    }

    private static HttpClient Client(string url, string key)
    {
        var http = new HttpClient { BaseAddress = new Uri(url + "/") };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static async Task Send(HttpClient client, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        (await client.SendAsync(request)).EnsureSuccessStatusCode();
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
