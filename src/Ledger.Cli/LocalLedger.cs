using System.Diagnostics;
using Ledger.Api;
using Ledger.LocalPostgres;
using Spectre.Console;

namespace Ledger.Cli;

/// <summary>
/// The local ledger: a private PostgreSQL cluster under <c>LEDGER_HOME</c> (default <c>.ledger</c>) and
/// the API as a background process. <c>LEDGER_POSTGRES</c> replaces the managed cluster with any server.
/// </summary>
public static class LocalLedger
{
    private const string Database = "ledger";
    private static readonly string Home = Path.GetFullPath(
        Environment.GetEnvironmentVariable("LEDGER_HOME") is { Length: > 0 } home ? home : ".ledger");
    private static string PidFile => Path.Combine(Home, "api.pid");
    private static string UrlFile => Path.Combine(Home, "api.url");
    private static string ApiLog => Path.Combine(Home, "api.log");
    private static string? ConfiguredPostgres => Environment.GetEnvironmentVariable(LedgerSettings.PostgresVariable) is { Length: > 0 } s ? s : null;

    public static async Task<int> UpAsync(string[] args)
    {
        Directory.CreateDirectory(Home);
        var url = Option(args, "--url") ?? Environment.GetEnvironmentVariable("LEDGER_URL") ?? "http://127.0.0.1:5080";

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
            await cluster.CreateDatabaseIfMissingAsync(Database);
            connectionString = cluster.ConnectionString(Database);
            AnsiConsole.MarkupLineInterpolated(
                $"PostgreSQL: {(existed ? "reused" : "created")} cluster in {cluster.DataFolder}, listening on 127.0.0.1:{cluster.Port}");
        }

        if (RunningApi() is { } running)
        {
            AnsiConsole.MarkupLineInterpolated($"API: already running (pid {running.Id})");
            PrintUrls(File.ReadAllText(UrlFile).Trim());
            return 0;
        }

        var clients = await LocalClients.LoadOrCreateAsync(Path.Combine(Home, "clients.json"));
        var api = StartApiInBackground(connectionString, url, clients);
        await File.WriteAllTextAsync(PidFile, api.Id.ToString());
        await File.WriteAllTextAsync(UrlFile, url);
        AnsiConsole.MarkupLineInterpolated($"API: starting (pid {api.Id}, log {ApiLog}); the schema is applied on start-up…");
        await WaitUntilReadyAsync(url, api);
        PrintUrls(url);
        LocalClients.Print(clients, Path.Combine(Home, "clients.json"));
        return 0;
    }

    public static async Task<int> DownAsync()
    {
        if (RunningApi() is { } api)
        {
            // SIGTERM lets the host finish in-flight requests and Wolverine's durable work first.
            using (var term = Process.Start("kill", ["-TERM", api.Id.ToString()])) await term.WaitForExitAsync();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try { await api.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException) { api.Kill(); }
            AnsiConsole.MarkupLineInterpolated($"API: stopped (pid {api.Id})");
        }
        File.Delete(PidFile);
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
    public static async Task<HttpClient> ApiClientAsync(string role)
    {
        var url = Environment.GetEnvironmentVariable("LEDGER_URL") is { Length: > 0 } u ? u
            : RunningApi() is not null ? (await File.ReadAllTextAsync(UrlFile)).Trim()
            : throw new InvalidOperationException("The API is not running: start it with './ledger up' (or set LEDGER_URL and LEDGER_API_KEY).");
        var key = Environment.GetEnvironmentVariable("LEDGER_API_KEY") is { Length: > 0 } k ? k
            : (await LocalClients.LoadOrCreateAsync(Path.Combine(Home, "clients.json"))).FirstOrDefault(c => c.Role == role)?.Key
              ?? throw new InvalidOperationException($"No local API client has the role '{role}'.");
        var http = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/") };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static LocalPostgresCluster Cluster(PostgresBinaries binaries) => new(Path.Combine(Home, "pg"), binaries);

    private static Process StartApiInBackground(string connectionString, string url, IReadOnlyList<LocalClient> clients)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot tell where this program is.");
        string[] serve = Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? [typeof(LocalLedger).Assembly.Location, "serve", "--urls", url]
            : ["serve", "--urls", url];
        // The API outlives this command: its own session (setsid), no terminal, output to a log file.
        var start = new ProcessStartInfo("setsid", ["/bin/sh", "-c", "exec \"$0\" \"$@\" </dev/null >>\"$LEDGER_API_LOG\" 2>&1", self, .. serve]);
        start.Environment[LedgerSettings.PostgresVariable] = connectionString;
        start.Environment["LEDGER_API_LOG"] = ApiLog;
        start.Environment["Ledger__PublicUrl"] = url;
        foreach (var (name, value) in LocalClients.AsConfiguration(clients)) start.Environment[name] = value;
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the API.");
    }

    private static async Task WaitUntilReadyAsync(string url, Process api)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (api.HasExited)
                throw new InvalidOperationException($"The API exited with code {api.ExitCode}; see {ApiLog}.");
            try
            {
                if ((await http.GetAsync($"{url}/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(500);
        }
        throw new TimeoutException($"The API did not become ready within 3 minutes; see {ApiLog}.");
    }

    private static Process? RunningApi()
    {
        if (!File.Exists(PidFile) || !int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid)) return null;
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

    private static void PrintUrls(string url)
    {
        var table = new Table().AddColumns("", "URL");
        table.AddRow("API", url);
        table.AddRow("API docs", $"{url}/docs");
        table.AddRow("OpenAPI", $"{url}/openapi/v1.json");
        table.AddRow("Health", $"{url}/health");
        AnsiConsole.Write(table);
    }

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
