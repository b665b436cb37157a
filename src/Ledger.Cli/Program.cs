using Ledger.Cli;
using Spectre.Console;

// `ledger <command>`: one process per command; `serve` runs the API in the foreground, `billing-simulator` the simulator.
var command = args.FirstOrDefault() ?? "help";
var rest = args.Skip(1).ToArray();
// `ledger <verb> --help` prints the verb's usage and runs nothing.
if (rest.Any(a => a is "--help" or "-h")) return Help(command);
try
{
    return command switch
    {
        "up" => await LocalLedger.UpAsync(rest),
        "down" => await LocalLedger.DownAsync(),
        "status" => await LocalLedger.StatusAsync(),
        "serve" => await LocalLedger.ServeAsync(rest),
        "billing-simulator" => await LocalLedger.ServeBillingSimulatorAsync(rest),
        "timeline" => await AuditCommands.TimelineAsync(rest),
        "verify" => await AuditCommands.VerifyAsync(rest),
        "projections" => await ProjectionCommands.ProjectionsAsync(rest),
        "reconcile" => await ProjectionCommands.ReconcileAsync(rest),
        "reactions" => await ReactionCommands.ReactionsAsync(rest),
        _ => Help(null),
    };
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or HttpRequestException)
{
    AnsiConsole.MarkupLineInterpolated($"[red]ledger {command}: {e.Message}[/]");
    return 1;
}

static int Help(string? verb)
{
    // Options are listed only under `ledger <verb> --help`, so the overview stays one line per verb.
    (string Verb, string Usage, string[] Options)[] verbs =
    [
        ("up", "[--url URL] [--billing URL | --billing-simulator-url URL]   install PostgreSQL if missing, start the private cluster under .ledger/, the API and a billing simulator beside it",
        [
            "--url URL                    where the API listens; LEDGER_URL, default http://127.0.0.1:5080",
            "--billing URL                hand orders to this billing system, start no simulator; LEDGER_BILLING_URL",
            "--billing-simulator-url URL  where the simulator listens; LEDGER_BILLING_SIMULATOR_URL, default port 5090 or a free one",
            "The simulator calls the API back with the local 'billing' key; 'ledger down' stops it with the API.",
        ]),
        ("down", "stop the API, the billing simulator and the cluster (data stays in .ledger/pg)", []),
        ("status", "what is running, and where", []),
        ("serve", "run the API in the foreground (what 'up' starts in the background)", []),
        ("billing-simulator", "[--urls URL]   run the billing simulator in the foreground (what 'up' starts beside the API)", []),
        ("timeline", "<quote-id> [--as-of <instant>] [--format table|json|csv]   a quote's history from the event store", []),
        ("verify", "<quote-id> | --all   recompute hash chains; exit code 2 on a broken link", []),
        ("projections", "[rebuild [name]]   each projection's position and lag; rebuild one or all from the event store", []),
        ("reactions", "[retry <id>]   what follows events: position, lag, parked reactions and dead letters (exit code 3 when any); run a parked one again", []),
        ("reconcile", "[--format table|csv|json] [--status open|all|resolved|closed] [--rule R] [--crm C] [--owner O] [--min-age-hours N]", []),
    ];
    var shown = verbs.Where(v => verb is null || v.Verb == verb).ToList();
    if (shown.Count == 0) shown = [.. verbs];
    if (shown.Count > 1) AnsiConsole.MarkupLine("[bold]ledger[/] — the quote-to-cash ledger\n");
    foreach (var (name, usage, options) in shown)
    {
        AnsiConsole.MarkupLineInterpolated($"  [green]ledger {name}[/] {usage}");
        if (shown.Count == 1)
            foreach (var option in options) AnsiConsole.MarkupLineInterpolated($"      {option}");
    }
    return 0;
}
