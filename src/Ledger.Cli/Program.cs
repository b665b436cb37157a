using Ledger.Cli;
using Spectre.Console;

// `ledger <verb>`: one process per command; `serve` runs the API in the foreground, `billing-simulator` the simulator.
// CommandLine decides before any work starts: `--help` prints the verb's usage (exit 0), anything it does not know the usage (exit 64).
Verb[] verbs =
[
    new("up", "[--url URL] [--billing URL | --billing-simulator-url URL] [--eventstore postgres|esdb://…]",
        "install PostgreSQL if missing, start the private cluster under .ledger/, the API and a billing simulator beside it",
        LocalLedger.UpAsync,
        Options:
        [
            new("--url", "URL", "where the API listens; LEDGER_URL, default http://127.0.0.1:5080"),
            new("--billing", "URL", "hand orders to this billing system, start no simulator; LEDGER_BILLING_URL"),
            new("--billing-simulator-url", "URL", "where the simulator listens; LEDGER_BILLING_SIMULATOR_URL, default port 5090 or a free one"),
            new("--eventstore", "postgres|esdb://HOST:2113?tls=false", "the system of record; LEDGER_EVENTSTORE, default postgres (EventStoreDB: replicated into PostgreSQL)"),
        ],
        Notes: ["The simulator calls the API back with the local 'billing' key; 'ledger down' stops it with the API."]),
    new("down", "", "stop the API, the billing simulator and the cluster (data stays in .ledger/pg)", _ => LocalLedger.DownAsync()),
    new("status", "", "what is running, and where", _ => LocalLedger.StatusAsync()),
    new("serve", "[--urls URL]", "run the API in the foreground (what 'up' starts in the background)", LocalLedger.ServeAsync,
        Options: [new("--urls", "URL", "where the API listens")],
        Notes: [$"Settings come from the environment: {Ledger.Api.LedgerSettings.PostgresVariable}, Ledger__… (ASP.NET configuration)."]),
    new("billing-simulator", "[--urls URL]", "run the billing simulator in the foreground (what 'up' starts beside the API)",
        LocalLedger.ServeBillingSimulatorAsync,
        Options: [new("--urls", "URL", "where the simulator listens")]),
    new("timeline", "<quote-id> [--as-of INSTANT] [--format table|json|csv]", "a quote's history from the event store", AuditCommands.TimelineAsync,
        Options:
        [
            new("--as-of", "INSTANT", "the history up to this ISO instant, e.g. 2026-03-10T14:00:00Z"),
            new("--format", "table|json|csv", "default table"),
        ],
        MinOperands: 1, MaxOperands: 1),
    new("verify", "<quote-id> | --all [--anchors DIR [--trust KEYIDS]]", "recompute hash chains; exit code 2 on a broken link or an anchored head gone", AuditCommands.VerifyAsync,
        Options:
        [
            new("--all", null, "every stream, not one quote's"),
            new("--anchors", "DIR", "also prove every head the anchors in DIR recorded still holds (tail removed, tail forged, stream deleted)"),
            new("--trust", "KEYIDS", "with --anchors: only these key ids (comma-separated) may sign anchors"),
        ],
        MaxOperands: 1),
    new("anchor", "[--dir DIR] [--key FILE]", "sign every stream's head now and write the next anchor file outside the database",
        AuditCommands.AnchorAsync,
        Options:
        [
            new("--dir", "DIR", "the anchor log, default .ledger/anchors"),
            new("--key", "FILE", "the PEM ECDSA P-256 private key, default .ledger/anchor-key.pem (made when missing)"),
        ],
        Notes: ["Format, key rotation and what it proves: ADR/0025."]),
    new("projections", "[rebuild [name]]", "each projection's position and lag; rebuild one or all from the event store",
        ProjectionCommands.ProjectionsAsync, MaxOperands: 2, Subcommands: ["rebuild"]),
    new("reactions", "[retry <id>]",
        "what follows events: position, lag, parked reactions and dead letters (exit code 3 when any); run a parked one again",
        ReactionCommands.ReactionsAsync, MaxOperands: 2, Subcommands: ["retry"]),
    new("reconcile", "[--format table|csv|json] [--status S] [--rule R] [--crm C] [--owner O] [--min-age-hours N] [--as-of INSTANT]",
        "the reconciliation discrepancies, through the running API", ProjectionCommands.ReconcileAsync,
        Options:
        [
            new("--format", "table|csv|json", "default table"),
            new("--status", "open|all|acknowledged|resolved|closed", "default open"),
            new("--rule", "R", "one rule, e.g. QTC-01"),
            new("--crm", "C", "one CRM's discrepancies"),
            new("--owner", "O", "one owner's discrepancies"),
            new("--min-age-hours", "N", "only those at least N hours old"),
            new("--as-of", "INSTANT", "the list as it stood at this ISO instant, e.g. 2026-03-31T23:59:59Z (a month-end close)"),
        ]),
    new("demo", "[--quotes N]",
        "fill the running ledger through its API: four CRMs, customers with duplicates, a catalog, a policy, quotes in every state, approvals, orders, billing answers",
        DemoCommand.RunAsync,
        Options: [new("--quotes", "N", "how many quotes, default 200")],
        Notes: ["Uses the local keys 'ledger up' made (one per role and CRM). Idempotent: running it again adds nothing."]),
];

return await CommandLine.RunAsync(args, verbs, async (verb, rest) =>
{
    try
    {
        return await verb.Run(rest);
    }
    catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException)
    {
        AnsiConsole.MarkupLineInterpolated($"[red]ledger {verb.Name}: {e.Message}[/]");
        return 1;
    }
});
