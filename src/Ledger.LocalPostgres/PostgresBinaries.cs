using System.Diagnostics;

namespace Ledger.LocalPostgres;

/// <summary>Where initdb and pg_ctl are: Debian keeps them in /usr/lib/postgresql/&lt;major&gt;/bin, off the PATH.</summary>
public sealed record PostgresBinaries(string BinFolder)
{
    public string InitDb => Path.Combine(BinFolder, "initdb");
    public string PgCtl => Path.Combine(BinFolder, "pg_ctl");

    public static PostgresBinaries? Find()
    {
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => (Folder: Path.Combine(d, "bin"), Major: int.TryParse(Path.GetFileName(d), out var m) ? m : 0))
                .Where(d => File.Exists(Path.Combine(d.Folder, "initdb")))
                .OrderByDescending(d => d.Major)
                .FirstOrDefault();
            if (newest.Folder is not null) return new PostgresBinaries(newest.Folder);
        }
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
        return onPath is null ? null : new PostgresBinaries(onPath);
    }

    /// <summary>Finds the binaries, installing Debian's postgresql package first when they are missing.</summary>
    public static PostgresBinaries FindOrInstall(Action<string> log)
    {
        if (Find() is { } found) return found;
        var asRoot = LocalPostgresCluster.RunsAsRoot;
        log(asRoot
            ? "PostgreSQL binaries not found: installing Debian's postgresql package (apt-get)…"
            : "PostgreSQL binaries not found: installing Debian's postgresql package with sudo apt-get…");
        foreach (var arguments in new[] { "update -q", "install -y -q postgresql" })
        {
            var start = asRoot
                ? new ProcessStartInfo("apt-get", arguments)
                : new ProcessStartInfo("sudo", "apt-get " + arguments);
            start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
            using var apt = Process.Start(start) ?? throw new InvalidOperationException("Could not start apt-get.");
            apt.WaitForExit();
            if (apt.ExitCode != 0)
                throw new InvalidOperationException(
                    $"apt-get {arguments} failed (exit {apt.ExitCode}). Install PostgreSQL (apt-get install postgresql) and try again.");
        }
        return Find() ?? throw new InvalidOperationException("PostgreSQL was installed but initdb was not found.");
    }
}
