using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Ledger.LocalPostgres;

/// <summary>
/// A private PostgreSQL cluster in a folder of its own, run from the installed binaries: the local
/// ledger's database (<c>ledger up</c>) and the tests' throwaway one (ADR/0003). initdb and pg_ctl
/// refuse to run as root, so as root every server command runs as the <c>postgres</c> user, which
/// then owns the folder; any other user runs them as itself.
/// </summary>
public sealed class LocalPostgresCluster
{
    public const string Superuser = "ledger";
    private readonly PostgresBinaries _binaries;

    public LocalPostgresCluster(string folder, PostgresBinaries binaries)
    {
        Folder = Path.GetFullPath(folder);
        _binaries = binaries;
    }

    public string Folder { get; }
    public string DataFolder => Path.Combine(Folder, "data");
    public string LogFile => Path.Combine(Folder, "postgres.log");
    private string PortFile => Path.Combine(Folder, "port");

    public bool IsInitialised => File.Exists(Path.Combine(DataFolder, "PG_VERSION"));

    public int? Port => File.Exists(PortFile) ? int.Parse(File.ReadAllText(PortFile).Trim()) : null;

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port ?? throw new InvalidOperationException("The cluster has not been started yet."),
        Username = Superuser,
        Database = database,
    }.ConnectionString;

    /// <summary>Creates the cluster if it does not exist yet; keeps an existing one and its data.</summary>
    /// <param name="durable">False turns fsync off: for throwaway test clusters only.</param>
    public async Task InitialiseAsync(bool durable = true, CancellationToken ct = default)
    {
        if (IsInitialised) return;
        Directory.CreateDirectory(Folder);
        OwnFolder();
        // trust on loopback only: the cluster listens on 127.0.0.1 and no socket file (ADR/0003).
        await RunAsync(_binaries.InitDb,
            ["-D", DataFolder, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], ct);
        var settings = new List<string>
        {
            "listen_addresses = '127.0.0.1'",
            "unix_socket_directories = ''",
        };
        // A throwaway test cluster serves many ledger hosts at once (one per test class), each with its own pools (Marten,
        // Wolverine, the daemon, reactions, the CRM push): the full suite peaks near 200 (measured). It once reached 2,000,
        // when every stopped host left a data source behind (HostConnectionsTests); 500 leaves room, not a leak's worth.
        settings.Add(durable ? "max_connections = 200" : "max_connections = 500");
        if (!durable)
            settings.AddRange(["fsync = off", "synchronous_commit = off", "full_page_writes = off"]);
        await File.AppendAllLinesAsync(Path.Combine(DataFolder, "postgresql.conf"), settings, ct);
    }

    public async Task<bool> IsRunningAsync(CancellationToken ct = default)
    {
        if (!IsInitialised) return false;
        var (exitCode, _) = await TryRunAsync(_binaries.PgCtl, ["status", "-D", DataFolder], ct);
        return exitCode == 0;
    }

    /// <summary>Starts the cluster on its saved port, or on a free one the first time (or when the saved one is taken).</summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        if (await IsRunningAsync(ct)) return;
        var port = Port is { } saved && IsFree(saved) ? saved : FreePort();
        await File.WriteAllTextAsync(PortFile, port.ToString(), ct);
        await RunAsync(_binaries.PgCtl,
            ["start", "-D", DataFolder, "-l", LogFile, "-w", "-t", "60", "-o", $"-p {port}"], ct);
    }

    public async Task StopAsync(CancellationToken ct = default)
    {
        if (!await IsRunningAsync(ct)) return;
        await RunAsync(_binaries.PgCtl, ["stop", "-D", DataFolder, "-m", "fast", "-w", "-t", "60"], ct);
    }

    public async Task CreateDatabaseIfMissingAsync(string database, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = @name", connection);
        exists.Parameters.AddWithValue("name", database);
        if (await exists.ExecuteScalarAsync(ct) is not null) return;
        // Database names cannot be parameters; quote it as an identifier.
        await using var create = new NpgsqlCommand($"create database \"{database.Replace("\"", "\"\"")}\"", connection);
        await create.ExecuteNonQueryAsync(ct);
    }

    public async Task DeleteAsync(CancellationToken ct = default)
    {
        await StopAsync(ct);
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }

    private void OwnFolder()
    {
        if (!RunsAsRoot) return;
        using var chown = Process.Start("chown", ["-R", "postgres:postgres", Folder]);
        chown.WaitForExit();
        if (chown.ExitCode != 0) throw new InvalidOperationException($"chown of {Folder} to postgres failed.");
    }

    /// <summary>initdb and pg_ctl refuse root; as root, server commands run as the postgres user (and apt runs without sudo).</summary>
    internal static bool RunsAsRoot => Environment.UserName == "root";

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var (exitCode, output) = await TryRunAsync(program, arguments, ct);
        if (exitCode != 0)
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed with exit code {exitCode}:\n{output}");
    }

    private static async Task<(int ExitCode, string Output)> TryRunAsync(
        string program, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var start = RunsAsRoot
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        // The server must outlive this process: keep it away from our stdin.
        start.RedirectStandardInput = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, (await stdout) + (await stderr));
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
