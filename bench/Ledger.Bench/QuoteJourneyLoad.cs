using System.Diagnostics;
using System.Net.Http.Json;

namespace Ledger.Bench;

/// <summary>One load's figures; <c>Run</c> is the id its quote ids carry (<c>Q-{run}-{client}-{journey}</c>).</summary>
/// <param name="ReactionWaits">Commands answered "not yet" (the approval a grant needs, the approval a send needs) and sent again: a reaction had not run.</param>
/// <param name="Reactions">Reaction units committed during the load, whose lag (cause committed → reaction committed) the percentiles give.</param>
/// <param name="WriteTransactionsPerCommand">Transactions that wrote (transaction ids handed out), per command; <c>TransactionsPerCommand</c> counts read-only ones too.</param>
/// <param name="ReactionsCaughtUpSeconds">How long after the load (and the projections) the reactions took to catch up; the database's work is counted after that.</param>
public sealed record LoadResult(
    string Run, int Clients, double? TargetCommandsPerSecond, int Commands, int Errors, double CommandsPerSecond, double P50, double P95, double P99,
    int ProjectedEvents, double LagP50, double LagP99, double TransactionsPerCommand, double WalSyncsPerCommand,
    int ReactionWaits, int Reactions, double ReactionLagP50, double ReactionLagP99, double ReactionsCaughtUpSeconds, double WriteTransactionsPerCommand);

/// <summary>
/// C clients running quote journeys over HTTP (draft, line, price, submit, every 5th a deal-desk grant, send, accept, order),
/// each client <see cref="JourneysPerClient"/> journeys at a time, one request at a time, turn by turn, as a CRM integration
/// works on many quotes; every command is one latency sample. A grant sent before its approval exists, or a send before the
/// quote is approved, is answered "not yet" (both follow by reactions): the client goes on with its other journeys and asks
/// again on that journey's next turn (after 20 ms when all of them wait). Those attempts are counted apart, not as commands
/// and not timed (their database work still counts in the per-command figures). With a target rate, commands are released on a shared
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
        var waits = 0;
        long released = 0;
        var run = $"{Guid.NewGuid():N}"[..6];
        var until = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            using var crm = ledger.Client(LedgerUnderTest.CrmKey);
            using var approver = ledger.Client(LedgerUnderTest.ApproverKey);
            var samples = latencies[c] = [];
            var started = 0;
            Journey Next() => new($"Q-{run}-{c}-{started}", needsApproval: started++ % 5 == 0, crm, approver);
            var journeys = Enumerable.Range(0, JourneysPerClient).Select(_ => Next()).ToArray();
            var waitingInARow = 0;
            for (var turn = 0; until.Elapsed.TotalSeconds < seconds; turn = (turn + 1) % journeys.Length)
            {
                var journey = journeys[turn];
                var (client, path, body) = journey.Steps[journey.Step];
                if (commandsPerSecond is { } rate && journey.Attempt == 0)
                {
                    var due = TimeSpan.FromSeconds(Interlocked.Increment(ref released) / rate) - until.Elapsed;
                    if (due > TimeSpan.Zero) await Task.Delay(due);
                    if (until.Elapsed.TotalSeconds >= seconds) break;
                }
                if (journey.Attempt == 0) journey.WaitingSince.Restart();
                var clock = Stopwatch.StartNew();
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
                request.Headers.Add("Idempotency-Key", $"{journey.Quote}{path}#{journey.Attempt}");
                using var response = await client.SendAsync(request);
                // Ten seconds of "not yet" is a reaction that did not happen: an error, and the journey stops.
                if (await NotYetAsync(response) && journey.WaitingSince.Elapsed <= TimeSpan.FromSeconds(10))
                {
                    journey.Attempt++;
                    Interlocked.Increment(ref waits);
                    // Every journey of this client waits for a reaction: pause before asking again.
                    if (++waitingInARow >= journeys.Length)
                    {
                        waitingInARow = 0;
                        await Task.Delay(20);
                    }
                    continue;
                }
                waitingInARow = 0;
                // Only the attempt that did the command is a command: the "not yet" ones before it are counted apart.
                samples.Add(clock.Elapsed.TotalMilliseconds);
                journey.Attempt = 0;
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                    journeys[turn] = Next();
                }
                else if (++journey.Step == journey.Steps.Length) journeys[turn] = Next();
            }
        })));
        var elapsed = until.Elapsed.TotalSeconds;
        var lags = measureLag ? await lag.StopAsync(TimeSpan.FromMinutes(2)) : await lag.StopPollingAsync();
        // What the load caused includes its reactions: count the database's work only once they have all run.
        var reactionsCaughtUp = await ReactionsCaughtUpAsync(ledger, TimeSpan.FromMinutes(5));
        var after = await lag.DatabaseWorkAsync();
        var reactionLags = await lag.ReactionLagsAsync();
        var all = latencies.SelectMany(l => l).Order().ToList();
        return new LoadResult(run, clients, commandsPerSecond, all.Count, errors, all.Count / elapsed,
            BenchResults.Percentile(all, 0.50), BenchResults.Percentile(all, 0.95), BenchResults.Percentile(all, 0.99),
            lags.Count, BenchResults.Percentile(lags, 0.50), BenchResults.Percentile(lags, 0.99),
            (double)(after.Transactions - before.Transactions) / all.Count, (double)(after.WalSyncs - before.WalSyncs) / all.Count,
            waits, reactionLags.Count, BenchResults.Percentile(reactionLags, 0.50), BenchResults.Percentile(reactionLags, 0.99),
            reactionsCaughtUp.TotalSeconds, (double)(after.WriteTransactions - before.WriteTransactions) / all.Count);
    }

    /// <summary>Waits until the reaction processor has reacted to every event, twice in a row 300 ms apart (billing calls back meanwhile).</summary>
    private static async Task<TimeSpan> ReactionsCaughtUpAsync(LedgerUnderTest ledger, TimeSpan limit)
    {
        using var admin = ledger.Client(LedgerUnderTest.AdminKey);
        admin.Timeout = TimeSpan.FromSeconds(30);
        var waited = Stopwatch.StartNew();
        var inARow = 0;
        long behind = -1;
        while (inARow < 2)
        {
            if (waited.Elapsed > limit) throw new InvalidOperationException($"Reactions did not catch up within {limit} after the load ({behind} events behind).");
            var status = await admin.GetFromJsonAsync<System.Text.Json.JsonElement>("/reactions");
            behind = status.GetProperty("eventsBehind").GetInt64();
            inARow = status.GetProperty("caughtUp").GetBoolean() ? inARow + 1 : 0;
            if (waited.Elapsed > TimeSpan.FromSeconds(30) && inARow == 0) Console.Error.WriteLine($"  reactions still {behind} events behind after {waited.Elapsed.TotalSeconds:F0} s");
            await Task.Delay(300);
        }
        return waited.Elapsed;
    }

    /// <summary>How many journeys a client keeps going: while one waits for a reaction, the client works on the others.</summary>
    public const int JourneysPerClient = 4;

    /// <summary>A quote's journey as one client runs it: the steps, the one it is at, and the attempts at it answered "not yet".</summary>
    private sealed class Journey(string quote, bool needsApproval, HttpClient crm, HttpClient approver)
    {
        public string Quote { get; } = quote;
        public (HttpClient Client, string Path, object Body)[] Steps { get; } = JourneySteps(crm, approver, quote, needsApproval);
        public int Step { get; set; }
        public int Attempt { get; set; }
        public Stopwatch WaitingSince { get; } = new();
    }

    private static (HttpClient, string, object)[] JourneySteps(HttpClient crm, HttpClient approver, string q, bool needsApproval) =>
    [
        (crm, "/quotes", new { quoteId = q, crmOpportunityId = $"OPP-{q}", crmAccountId = "ACC-1", customerId = "C-1", owner = "rep", currency = "USD", segment = "enterprise",
            region = "us-east", legalEntity = "LE", timeZone = "America/New_York", priceBookVersion = "2026.1", validFrom = "2026-01-01", validUntil = "2099-12-31" }),
        (crm, $"/quotes/{q}/lines", new { lineId = "L1", productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 10, discountPercent = needsApproval ? 15 : 5 }),
        (crm, $"/quotes/{q}/price", new { policyVersion = "P-2026.1" }),
        (crm, $"/quotes/{q}/submit", new { }),
        .. needsApproval ? new[] { (approver, $"/approvals/{q}/1/grant", (object)new { level = "DealDesk", approver = "desk" }) } : [],
        (crm, $"/quotes/{q}/send", new { documentHash = "sha256:doc" }),
        (crm, $"/quotes/{q}/accept", new { revision = 1, acceptanceType = "signature", signer = "buyer" }),
        (crm, $"/quotes/{q}/order", new { billingAccount = "BA-1" }),
    ];

    /// <summary>A refusal that only says a reaction has not run yet: the approval to grant, or the approval to send under.</summary>
    private static async Task<bool> NotYetAsync(HttpResponseMessage response) =>
        (int)response.StatusCode is 404 or 409 && await response.Content.ReadAsStringAsync() is var body
        && (body.Contains("approval.not-found") || body.Contains("quote.not-approved"));
}
