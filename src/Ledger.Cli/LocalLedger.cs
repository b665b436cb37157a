using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ledger.Api;
using Ledger.BillingSimulator;
using Ledger.LocalPostgres;
using Spectre.Console;

namespace Ledger.Cli;

/// <summary>
/// The local ledger: a private PostgreSQL cluster under <c>LEDGER_HOME</c> (default <c>.ledger</c>), the API as a
/// background process and the billing simulator beside it as another. <c>LEDGER_POSTGRES</c> replaces the managed
/// cluster with any server; <c>--billing</c> (or <c>LEDGER_BILLING_URL</c>) replaces the simulator with a real billing system.
/// </summary>
public static class LocalLedger
{
    private const string Database = "ledger";
    private static readonly string Home = Path.GetFullPath(
        Environment.GetEnvironmentVariable("LEDGER_HOME") is { Length: > 0 } home ? home : ".ledger");
    private static string PidFile => Path.Combine(Home, "api.pid");
    private static string UrlFile => Path.Combine(Home, "api.url");
    private static string ApiLog => Path.Combine(Home, "api.log");
    // The billing system the running API was started with: the simulator's URL, or the one --billing named.
    private static string BillingUrlFile => Path.Combine(Home, "billing.url");
    private static string SimulatorPidFile => Path.Combine(Home, "billing-simulator.pid");
    private static string SimulatorUrlFile => Path.Combine(Home, "billing-simulator.url");
    private static string SimulatorLog => Path.Combine(Home, "billing-simulator.log");
    private static string ClientsFile => Path.Combine(Home, "clients.json");
    /// <summary>The local anchor log and the key that signs it (ADR/0025); a real deployment keeps both away from the database.</summary>
    public static string AnchorDirectory => Path.Combine(Home, "anchors");
    public static string AnchorKeyFile => Path.Combine(Home, "anchor-key.pem");

    /// <summary>What the API reads of the clients: names, roles and key hashes only (ADR/0023).</summary>
    private static string ApiClientsHashesFile => Path.Combine(Home, "api-clients.sha256.json");
    // The port the README names for the simulator; another one is taken when it is busy.
    private const int PreferredSimulatorPort = 5090;
    private static string? ConfiguredPostgres => Environment.GetEnvironmentVariable(LedgerSettings.PostgresVariable) is { Length: > 0 } s ? s : null;

    public static async Task<int> UpAsync(string[] args)
    {
        Directory.CreateDirectory(Home);
        var url = Option(args, "--url") ?? Environment.GetEnvironmentVariable("LEDGER_URL") ?? "http://127.0.0.1:5080";
        var realBilling = Option(args, "--billing") ?? (Environment.GetEnvironmentVariable("LEDGER_BILLING_URL") is { Length: > 0 } b ? b : null);
        if (realBilling is not null && !IsHttpUrl(realBilling))
            throw new InvalidOperationException($"--billing needs the billing system's http(s) URL, not '{realBilling}'.");
        var simulatorUrl = Option(args, "--billing-simulator-url")
            ?? (Environment.GetEnvironmentVariable("LEDGER_BILLING_SIMULATOR_URL") is { Length: > 0 } s ? s : null);
        if (simulatorUrl is not null && !IsHttpUrl(simulatorUrl))
            throw new InvalidOperationException($"--billing-simulator-url needs an http URL, not '{simulatorUrl}'.");

        // The system of record: the embedded PostgreSQL event tables, or an EventStoreDB server (ADR/0006, ADR/0010).
        var eventStore = Option(args, "--eventstore")
            ?? (Environment.GetEnvironmentVariable(LedgerSettings.EventStoreVariable) is { Length: > 0 } e ? e : "postgres");
        if (eventStore != "postgres")
        {
            try { _ = Ledger.EventStore.EventStoreDb.EventStoreDbConnectionString.Parse(eventStore); }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                throw new InvalidOperationException($"--eventstore is 'postgres' or an EventStoreDB connection string such as esdb://127.0.0.1:2113?tls=false: {ex.Message}");
            }
        }

        string connectionString;
        if (ConfiguredPostgres is { } configured)
        {
            AnsiConsole.MarkupLine($"PostgreSQL: using {LedgerSettings.PostgresVariable}");
            connectionString = configured;
        }
        else
        {
            var cluster = Cluster(PostgresBinaries.FindOrInstall(m => AnsiConsole.WriteLine(m)));
            var existed = cluster.IsInitialised;
            await cluster.InitialiseAsync();
            await cluster.StartAsync();
            // A cluster made before ADR/0023 trusted every local connection: it gets a password now, unless an API already
            // running connects without one (it would lose its database); then the upgrade waits for the next down and up.
            if (cluster.TrustsLocalConnections && RunningApi() is not null)
                AnsiConsole.MarkupLine("[yellow]PostgreSQL: the cluster still trusts every local connection, and the running API connects without a password: 'ledger down' then 'ledger up' gives it one.[/]");
            else if (await cluster.RequirePasswordAsync())
                AnsiConsole.MarkupLineInterpolated($"PostgreSQL: the cluster trusted every local connection; its superuser now needs the password kept in {cluster.PasswordFile} (scram-sha-256, 127.0.0.1 only)");
            await cluster.CreateDatabaseIfMissingAsync(Database);
            // Names the password file, never the password: this string reaches the API through its environment.
            connectionString = cluster.ConnectionString(Database);
            AnsiConsole.MarkupLineInterpolated(
                $"PostgreSQL: {(existed ? "reused" : "created")} cluster in {cluster.DataFolder}, listening on 127.0.0.1:{cluster.Port}");
        }

        var clients = await LocalClients.LoadOrCreateAsync(ClientsFile);
        Ledger.EventStore.Anchoring.AnchorKey.LoadOrCreate(AnchorKeyFile).Dispose();
        if (RunningApi() is { } running)
        {
            AnsiConsole.MarkupLineInterpolated($"API: already running (pid {running.Id})");
            // The API keeps the billing system it was started with; a simulator that has died since is started again there.
            var startedWith = ReadIfExists(BillingUrlFile);
            if (startedWith is not null && startedWith == ReadIfExists(SimulatorUrlFile) && RunningSimulator() is null)
                await StartSimulatorAsync(startedWith, clients);
            if (realBilling is not null && realBilling != startedWith)
                AnsiConsole.MarkupLineInterpolated($"[yellow]--billing is ignored: the running API hands orders to {startedWith ?? "no billing system"}; 'ledger down' first to change it.[/]");
            PrintUrls(File.ReadAllText(UrlFile).Trim(), startedWith);
            return 0;
        }

        string billingUrl;
        if (realBilling is not null)
        {
            // A simulator left from an earlier `up` would only run unused beside a real billing system.
            await StopSimulatorAsync();
            billingUrl = realBilling;
            AnsiConsole.MarkupLineInterpolated($"Billing: {billingUrl} (no simulator)");
        }
        else if (RunningSimulator() is { } simulator && ReadIfExists(SimulatorUrlFile) is { } runningAt)
        {
            // Left from an API that stopped on its own: its invoices are still in memory, so keep it.
            billingUrl = runningAt;
            AnsiConsole.MarkupLineInterpolated($"Billing simulator: already running (pid {simulator.Id})");
        }
        else
        {
            billingUrl = simulatorUrl ?? $"http://127.0.0.1:{PreferredOrFreePort(PreferredSimulatorPort)}";
            await StartSimulatorAsync(billingUrl, clients);
        }
        await File.WriteAllTextAsync(BillingUrlFile, billingUrl);

        var api = await StartApiInBackgroundAsync(connectionString, url, billingUrl, eventStore, clients);
        AnsiConsole.MarkupLineInterpolated($"Event store: {(eventStore == "postgres" ? "PostgreSQL (the cluster above)" : $"EventStoreDB at {eventStore}, replicated into PostgreSQL for the views")}");
        await File.WriteAllTextAsync(PidFile, api.Id.ToString());
        await File.WriteAllTextAsync(UrlFile, url);
        AnsiConsole.MarkupLineInterpolated($"API: starting (pid {api.Id}, log {ApiLog}); the schema is applied on start-up…");
        await WaitUntilReadyAsync($"{url}/health/ready", api, "API", ApiLog);
        PrintUrls(url, billingUrl);
        LocalClients.Print(clients, ClientsFile);
        return 0;
    }

    public static async Task<int> DownAsync()
    {
        // The API first: its in-flight handoffs may still reach the simulator.
        if (RunningApi() is { } api) await StopAsync(api, "API");
        File.Delete(PidFile);
        await StopSimulatorAsync();
        if (ConfiguredPostgres is null && PostgresBinaries.Find() is { } binaries)
        {
            await Cluster(binaries).StopAsync();
            AnsiConsole.MarkupLine("PostgreSQL: stopped (data kept)");
        }
        return 0;
    }

    public static async Task<int> StatusAsync()
    {
        AnsiConsole.MarkupLineInterpolated($"API: {(RunningApi() is { } api ? $"running (pid {api.Id}) at {File.ReadAllText(UrlFile).Trim()}" : "not running")}");
        AnsiConsole.MarkupLineInterpolated($"Billing simulator: {(RunningSimulator() is { } simulator ? $"running (pid {simulator.Id}) at {ReadIfExists(SimulatorUrlFile)}" : "not running")}");
        if (RunningApi() is not null && ReadIfExists(BillingUrlFile) is { } billing && billing != ReadIfExists(SimulatorUrlFile))
            AnsiConsole.MarkupLineInterpolated($"Billing: the API hands orders to {billing}");
        if (ConfiguredPostgres is not null)
            AnsiConsole.MarkupLine($"PostgreSQL: {LedgerSettings.PostgresVariable} is set");
        else if (PostgresBinaries.Find() is { } binaries)
        {
            var cluster = Cluster(binaries);
            AnsiConsole.MarkupLineInterpolated($"PostgreSQL: {(await cluster.IsRunningAsync() ? $"running on 127.0.0.1:{cluster.Port}" : "stopped")} ({cluster.DataFolder})");
        }
        else AnsiConsole.MarkupLine("PostgreSQL: not installed");
        return 0;
    }

    /// <summary>The API in the foreground: what <c>up</c> runs in the background.</summary>
    public static async Task<int> ServeAsync(string[] args)
    {
        await LedgerApi.Build(args).RunAsync();
        return 0;
    }

    /// <summary>The billing simulator in the foreground: what <c>up</c> starts beside the API.</summary>
    public static async Task<int> ServeBillingSimulatorAsync(string[] args)
    {
        await BillingSimulatorApp.Build(args).RunAsync();
        return 0;
    }

    /// <summary>The PostgreSQL the local ledger uses: <c>LEDGER_POSTGRES</c>, or the running managed cluster.</summary>
    public static async Task<string> PostgresConnectionStringAsync()
    {
        if (ConfiguredPostgres is { } configured) return configured;
        var cluster = PostgresBinaries.Find() is { } binaries ? Cluster(binaries) : null;
        if (cluster is null || !await cluster.IsRunningAsync())
            throw new InvalidOperationException("The ledger's PostgreSQL is not running: start it with './ledger up' (or set LEDGER_POSTGRES).");
        return cluster.ConnectionString(Database);
    }

    /// <summary>
    /// An HTTP client of the running API acting in <paramref name="role"/>: <c>LEDGER_URL</c> and <c>LEDGER_API_KEY</c>
    /// when set, otherwise the local API that <c>up</c> started and its local key for that role.
    /// </summary>
    public static async Task<HttpClient> ApiClientAsync(string role) => await ApiClientAsync(role, crm: null);

    /// <summary>The demo's notes (<c>.ledger/demo.json</c>): kept beside the keys, so a second run finds the first one's.</summary>
    public static string DemoFile => Path.Combine(Home, "demo.json");

    /// <summary>The running simulator's URL (<c>LEDGER_BILLING_SIMULATOR_URL</c> when set), or null when <c>up</c> started none.</summary>
    public static string? BillingSimulatorUrl() =>
        Environment.GetEnvironmentVariable("LEDGER_BILLING_SIMULATOR_URL") is { Length: > 0 } url ? url
        : RunningSimulator() is not null ? ReadIfExists(SimulatorUrlFile) : null;

    /// <param name="crm">For the crm role: which CRM's integration (the local clients have one per CRM).</param>
    public static async Task<HttpClient> ApiClientAsync(string role, string? crm)
    {
        var url = Environment.GetEnvironmentVariable("LEDGER_URL") is { Length: > 0 } u ? u
            : RunningApi() is not null ? (await File.ReadAllTextAsync(UrlFile)).Trim()
            : throw new InvalidOperationException("The API is not running: start it with './ledger up' (or set LEDGER_URL and LEDGER_API_KEY).");
        var key = Environment.GetEnvironmentVariable("LEDGER_API_KEY") is { Length: > 0 } k ? k
            : (await LocalClients.LoadOrCreateAsync(ClientsFile)).FirstOrDefault(c => c.Role == role && (crm is null || c.Crm == crm))?.Key
              ?? throw new InvalidOperationException($"No local API client has the role '{role}'{(crm is null ? "" : $" for {crm}")}.");
        var http = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/") };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static LocalPostgresCluster Cluster(PostgresBinaries binaries) => new(Path.Combine(Home, "pg"), binaries);

    private static async Task<Process> StartApiInBackgroundAsync(string connectionString, string url, string billingUrl, string eventStore, IReadOnlyList<LocalClient> clients)
    {
        var environment = new Dictionary<string, string>
        {
            [LedgerSettings.PostgresVariable] = connectionString,
            [LedgerSettings.EventStoreVariable] = eventStore,
            // Where billing calls back: the acknowledgement URL in each handoff is built from it.
            ["Ledger__PublicUrl"] = url,
            ["Billing__Url"] = billingUrl,
            ["Ledger__Anchors__Directory"] = AnchorDirectory,
            ["Ledger__Anchors__KeyFile"] = AnchorKeyFile,
        };
        foreach (var (name, value) in await LocalClients.AsConfigurationAsync(clients, ApiClientsHashesFile)) environment[name] = value;
        return StartInBackground(["serve", "--urls", url], ApiLog, environment);
    }

    private static async Task StartSimulatorAsync(string url, IReadOnlyList<LocalClient> clients)
    {
        // The simulator calls the ledger back at /orders/{id}/billing/acknowledgements, which only the billing role may.
        var billingKey = clients.FirstOrDefault(c => c.Role == "billing")?.Key
            ?? throw new InvalidOperationException($"No local API client in {ClientsFile} has the role 'billing', which the billing simulator needs to call the ledger back.");
        var simulator = StartInBackground(["billing-simulator", "--urls", url], SimulatorLog,
            new Dictionary<string, string> { ["Billing__LedgerApiKey"] = billingKey });
        await File.WriteAllTextAsync(SimulatorPidFile, simulator.Id.ToString());
        await File.WriteAllTextAsync(SimulatorUrlFile, url);
        AnsiConsole.MarkupLineInterpolated($"Billing simulator: starting (pid {simulator.Id}, log {SimulatorLog})");
        // Ready before the API starts, so the API's first handoff does not meet a closed port.
        await WaitUntilReadyAsync($"{url}/invoices", simulator, "billing simulator", SimulatorLog);
    }

    private static async Task StopSimulatorAsync()
    {
        if (RunningSimulator() is { } simulator) await StopAsync(simulator, "Billing simulator");
        File.Delete(SimulatorPidFile);
        File.Delete(SimulatorUrlFile);
    }

    /// <summary>This program again, with <paramref name="verb"/>, as a process that outlives this command.</summary>
    private static Process StartInBackground(string[] verb, string log, IReadOnlyDictionary<string, string> environment)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell where this program is.");
        string[] command = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [typeof(LocalLedger).Assembly.Location, .. verb] : verb;
        // Its own session (setsid), no terminal, output to a log file.
        var start = new ProcessStartInfo("setsid", ["/bin/sh", "-c", "exec \"$0\" \"$@\" </dev/null >>\"$LEDGER_LOG_FILE\" 2>&1", self, .. command]);
        start.Environment["LEDGER_LOG_FILE"] = log;
        foreach (var (name, value) in environment) start.Environment[name] = value;
        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start 'ledger {verb[0]}'.");
    }

    private static async Task StopAsync(Process process, string name)
    {
        // SIGTERM lets the host finish in-flight requests (and the API Wolverine's durable work) first.
        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString()])) await term.WaitForExitAsync();
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try { await process.WaitForExitAsync(grace.Token); }
        catch (OperationCanceledException) { process.Kill(); }
        AnsiConsole.MarkupLineInterpolated($"{name}: stopped (pid {process.Id})");
    }

    private static async Task WaitUntilReadyAsync(string probeUrl, Process process, string name, string log)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"The {name} exited with code {process.ExitCode}; see {log}.");
            try
            {
                if ((await http.GetAsync(probeUrl)).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(500);
        }
        throw new TimeoutException($"The {name} did not become ready within 3 minutes; see {log}.");
    }

    private static Process? RunningApi() => RunningProcess(PidFile);

    private static Process? RunningSimulator() => RunningProcess(SimulatorPidFile);

    private static Process? RunningProcess(string pidFile)
    {
        if (!File.Exists(pidFile) || !int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) return null;
        try
        {
            var process = Process.GetProcessById(pid);
            return process.HasExited ? null : process;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static void PrintUrls(string url, string? billingUrl)
    {
        var table = new Table().AddColumns("", "URL");
        table.AddRow("API", url);
        table.AddRow("Console", $"{url}/console");
        table.AddRow("API docs", $"{url}/docs");
        table.AddRow("OpenAPI", $"{url}/openapi/v1.json");
        table.AddRow("Health", $"{url}/health");
        if (billingUrl is not null)
            table.AddRow(billingUrl == ReadIfExists(SimulatorUrlFile) ? "Billing simulator" : "Billing", billingUrl);
        AnsiConsole.Write(table);
    }

    /// <summary>The configured port when nothing listens there, else one the system picks: a second checkout must not collide.</summary>
    private static int PreferredOrFreePort(int preferred)
    {
        try { return Listen(preferred); }
        catch (SocketException) { return Listen(0); }

        static int Listen(int port)
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    private static string? ReadIfExists(string file) => File.Exists(file) ? File.ReadAllText(file).Trim() : null;

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
