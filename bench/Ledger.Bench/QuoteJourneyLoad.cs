using System.Diagnostics;
using System.Net.Http.Json;

namespace Ledger.Bench;

/// <summary>One load's figures; <c>Run</c> is the id its quote ids carry (<c>Q-{run}-{client}-{journey}</c>).</summary>
public sealed record LoadResult(
    string Run, int Clients, double? TargetCommandsPerSecond, int Commands, int Errors, double CommandsPerSecond, double P50, double P95, double P99,
    int ProjectedEvents, double LagP50, double LagP99, double TransactionsPerCommand, double WalSyncsPerCommand);

/// <summary>
/// C clients running quote journeys over HTTP, back to back (draft, line, price, submit, every 5th a deal-desk grant,
/// send, accept, order); every command is one latency sample. With a target rate, commands are released on a shared
/// schedule instead (an open loop: a client that falls behind sends at once). Meanwhile, every event the load appends
/// is timed from its append to the moment every projection has applied it, and the database's committed transactions
/// and WAL flushes are counted: everything the load caused (API, daemon, durable messages), per command.
/// </summary>
public static class QuoteJourneyLoad
{
    /// <param name="measureLag">False when no daemon runs: the probe then only counts the database's work.</param>
    public static async Task<LoadResult> RunAsync(LedgerUnderTest ledger, int clients, int seconds, double? commandsPerSecond = null, bool measureLag = true)
    {
        await using var lag = await ProjectionLagProbe.StartAsync(ledger.Views, measureLag);
        var before = await lag.DatabaseWorkAsync();
        var latencies = new List<double>[clients];
        var errors = 0;
        long released = 0;
        var run = $"{Guid.NewGuid():N}"[..6];
        var until = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            using var crm = ledger.Client(LedgerUnderTest.CrmKey);
            using var approver = ledger.Client(LedgerUnderTest.ApproverKey);
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
                    if (commandsPerSecond is { } rate)
                    {
                        var due = TimeSpan.FromSeconds(Interlocked.Increment(ref released) / rate) - until.Elapsed;
                        if (due > TimeSpan.Zero) await Task.Delay(due);
                        if (until.Elapsed.TotalSeconds >= seconds) break;
                    }
                    var clock = Stopwatch.StartNew();
                    using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
                    request.Headers.Add("Idempotency-Key", $"{q}{path}");
                    using var response = await client.SendAsync(request);
                    samples.Add(clock.Elapsed.TotalMilliseconds);
                    if (!response.IsSuccessStatusCode) { Interlocked.Increment(ref errors); break; }
                }
            }
        })));
        var elapsed = until.Elapsed.TotalSeconds;
        var lags = measureLag ? await lag.StopAsync(TimeSpan.FromMinutes(2)) : await lag.StopPollingAsync();
        var after = await lag.DatabaseWorkAsync();
        var all = latencies.SelectMany(l => l).Order().ToList();
        return new LoadResult(run, clients, commandsPerSecond, all.Count, errors, all.Count / elapsed,
            BenchResults.Percentile(all, 0.50), BenchResults.Percentile(all, 0.95), BenchResults.Percentile(all, 0.99),
            lags.Count, BenchResults.Percentile(lags, 0.50), BenchResults.Percentile(lags, 0.99),
            (double)(after.Transactions - before.Transactions) / all.Count, (double)(after.WalSyncs - before.WalSyncs) / all.Count);
    }
}
