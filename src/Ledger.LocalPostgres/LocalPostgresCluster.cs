using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Net.Sockets;
using Npgsql;

namespace Ledger.LocalPostgres;

/// <summary>
/// A private PostgreSQL cluster in a folder of its own, run from the installed binaries: the local
/// ledger's database (<c>ledger up</c>) and the tests' throwaway one (ADR/0003). initdb and pg_ctl
/// refuse to run as root, so as root every server command runs as the <c>postgres</c> user, which
/// then owns the folder; any other user runs them as itself.
/// A durable cluster lets in only its superuser, with a password (scram-sha-256) over TCP from 127.0.0.1; the password
/// is in an owner-only PostgreSQL password file that connection strings name (<c>Passfile</c>), never in them (ADR/0023).
/// A throwaway test cluster trusts loopback.
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
    private string HbaFile => Path.Combine(DataFolder, "pg_hba.conf");

    /// <summary>The superuser's password, as a PostgreSQL password file (<c>*:*:*:ledger:…</c>), owner-only.</summary>
    public string PasswordFile => Path.Combine(Folder, "superuser.pgpass");

    /// <summary>What a durable cluster's pg_hba.conf holds, all of it: no trust, no socket, no other address.</summary>
    private const string PasswordOnlyHba =
        "# Written by ledger (ADR/0023): the superuser's password (scram-sha-256), over TCP from 127.0.0.1 only.\n" +
        "host    all    all    127.0.0.1/32    scram-sha-256\n";

    public bool IsInitialised => File.Exists(Path.Combine(DataFolder, "PG_VERSION"));

    public int? Port => File.Exists(PortFile) ? int.Parse(File.ReadAllText(PortFile).Trim()) : null;

    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port ?? throw new InvalidOperationException("The cluster has not been started yet."),
        Username = Superuser,
        Database = database,
        // The path, not the password: a connection string is passed around (the API's environment, logs).
        Passfile = File.Exists(PasswordFile) ? PasswordFile : null,
    }.ConnectionString;

    /// <summary>
    /// Whether some connection gets in without a password: a throwaway cluster, or a durable one made before ADR/0023. Read
    /// from pg_hba.conf: a rule whose method is <c>trust</c> (its last word: trust takes no options); other rules a person
    /// added are theirs to keep.
    /// </summary>
    public bool TrustsLocalConnections => IsInitialised && File.ReadLines(HbaFile)
        .Select(line => line.Split('#', 2)[0].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        .Any(rule => rule is [.., "trust"]);

    /// <summary>Creates the cluster if it does not exist yet; keeps an existing one and its data.</summary>
    /// <param name="durable">
    /// True: the superuser gets a generated password and pg_hba lets in nothing else (ADR/0023). False (throwaway test
    /// clusters only): fsync off, and loopback trusted.
    /// </param>
    public async Task InitialiseAsync(bool durable = true, CancellationToken ct = default)
    {
        if (IsInitialised) return;
        Directory.CreateDirectory(Folder);
        if (!durable)
        {
            OwnFolder();
            // trust on loopback only: the cluster listens on 127.0.0.1 and no socket file (ADR/0003).
            await RunAsync(_binaries.InitDb,
                ["-D", DataFolder, "-U", Superuser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], ct);
        }
        else
        {
            var password = NewPassword();
            // initdb reads the password from a file (as root it runs as postgres, which must own it), deleted right after.
            var initialPassword = Path.Combine(Folder, "initdb.pw");
            await WritePrivateAsync(initialPassword, password + "\n", ct);
            try
            {
                OwnFolder();
                await RunAsync(_binaries.InitDb,
                    ["-D", DataFolder, "-U", Superuser, "--auth=scram-sha-256", $"--pwfile={initialPassword}", "-E", "UTF8", "--locale=C.UTF-8"], ct);
            }
            finally
            {
                File.Delete(initialPassword);
            }
            await WritePasswordFileAsync(password, ct);
            await File.WriteAllTextAsync(HbaFile, PasswordOnlyHba, ct);
        }
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

    /// <summary>
    /// Upgrades a cluster made before ADR/0023 (pg_hba trusting loopback): the superuser gets a generated password
    /// (kept in <see cref="PasswordFile"/>), pg_hba lets in only it, and the server reloads. Runs against the started
    /// cluster, over the trust it ends; data is untouched. False when there was nothing to upgrade.
    /// </summary>
    public async Task<bool> RequirePasswordAsync(CancellationToken ct = default)
    {
        if (!TrustsLocalConnections) return false;
        if (!await IsRunningAsync(ct)) throw new InvalidOperationException("Start the cluster before requiring a password.");
        // A run that stopped between writing the file and reloading left the password to use: keep it.
        var password = File.Exists(PasswordFile) ? ReadPassword() : NewPassword();
        await WritePasswordFileAsync(password, ct);
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync(ct);
            // A role's password cannot be a parameter; it is hex, so it needs no quoting.
            await using var alter = new NpgsqlCommand($"alter role \"{Superuser}\" with password '{password}'", connection);
            await alter.ExecuteNonQueryAsync(ct);
            await File.WriteAllTextAsync(HbaFile, PasswordOnlyHba, ct);
            await using var reload = new NpgsqlCommand("select pg_reload_conf()", connection);
            await reload.ExecuteScalarAsync(ct);
        }
        NpgsqlConnection.ClearAllPools();
        return true;
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

    /// <summary>256 random bits, hex: nothing to escape in a password file or a SQL literal.</summary>
    private static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private string ReadPassword() =>
        File.ReadAllText(PasswordFile).Trim().Split(':') is [_, _, _, _, var password] && password.Length > 0
            ? password
            : throw new InvalidOperationException($"{PasswordFile} is not a password file of the form *:*:*:{Superuser}:<password>.");

    private Task WritePasswordFileAsync(string password, CancellationToken ct) =>
        WritePrivateAsync(PasswordFile, $"*:*:*:{Superuser}:{password}\n", ct);

    /// <summary>A file only its owner may read, created so (never readable by others, not even for an instant).</summary>
    private static async Task WritePrivateAsync(string path, string text, CancellationToken ct)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var stream = new FileStream(path, options))
        await using (var writer = new StreamWriter(stream))
            await writer.WriteAsync(text.AsMemory(), ct);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
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
