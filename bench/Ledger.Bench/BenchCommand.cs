namespace Ledger.Bench;

/// <summary>Parses <c>append --backend postgres|esdb --writers 16 --events N [--events-per-stream M]</c>.</summary>
public static class BenchCommand
{
    private const string Usage =
        "usage: Ledger.Bench append --backend postgres|esdb [--writers 16] [--events 20000] [--events-per-stream 100] [--out bench/results] [--note text]\n" +
        "  postgres: a throwaway durable cluster (fsync on) unless LEDGER_BENCH_POSTGRES names a server\n" +
        "  esdb:     the server LEDGER_TEST_ESDB names\n" +
        "usage: Ledger.Bench timeline --events 10000   (one quote's auditor timeline vs a raw read, throwaway cluster with fsync on)\n" +
        "usage: Ledger.Bench commands [--clients 1,16,64] [--seconds 20] [--statements]   (HTTP quote journeys vs pgbench -N and raw Marten appends, throwaway cluster with fsync on)\n" +
        "usage: Ledger.Bench growth [--history 10000,10000000] [--clients 1,16] [--seconds 20]   (command latency with that many events already stored, throwaway cluster with fsync on)\n" +
        "usage: Ledger.Bench rebuild --events 100000   (every projection rebuilt vs reading and deserializing the same events, throwaway cluster with fsync on)\n" +
        "usage: Ledger.Bench catalog [--versions 1,1000] [--clients 1,16] [--seconds 20]   (command latency with that many published catalog versions, throwaway cluster with fsync on)";

    public static async Task<int> RunAsync(string[] args)
    {
        // `--help` anywhere prints the usage and runs nothing.
        if (args.Any(a => a is "--help" or "-h"))
        {
            Console.WriteLine(Usage);
            return 0;
        }
        if (args is ["catalog", ..])
        {
            var versions = (Option(args, "--versions") ?? "1,1000").Split(',').Select(int.Parse).ToArray();
            var levels = (Option(args, "--clients") ?? "1,16").Split(',').Select(int.Parse).ToArray();
            return await CatalogBenchmark.RunAsync(versions, levels, int.Parse(Option(args, "--seconds") ?? "20"), Path.Combine(RepositoryRoot(), "bench", "results"));
        }
        if (args is ["timeline", "--events", var count])
            return await TimelineBenchmark.RunAsync(int.Parse(count), Path.Combine(RepositoryRoot(), "bench", "results"));
        if (args is ["commands", ..])
        {
            var levels = Option(args, "--clients") is { } c ? c.Split(',').Select(int.Parse).ToArray() : [1, 16, 64];
            var seconds = int.Parse(Option(args, "--seconds") ?? "20");
            return await CommandBenchmark.RunAsync(levels, seconds, Path.Combine(RepositoryRoot(), "bench", "results"), args.Contains("--statements"));
        }
        if (args is ["growth", ..])
        {
            var histories = (Option(args, "--history") ?? "10000,10000000").Split(',').Select(long.Parse).ToArray();
            var levels = (Option(args, "--clients") ?? "1,16").Split(',').Select(int.Parse).ToArray();
            return await GrowthBenchmark.RunAsync(histories, levels, int.Parse(Option(args, "--seconds") ?? "20"), Path.Combine(RepositoryRoot(), "bench", "results"));
        }
        if (args is ["rebuild", "--events", var total])
            return await RebuildBenchmark.RunAsync(int.Parse(total), Path.Combine(RepositoryRoot(), "bench", "results"));
        if (args.Length == 0 || args[0] != "append")
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                Console.Error.WriteLine($"unexpected argument '{args[i]}'\n{Usage}");
                return 2;
            }
            options[args[i][2..]] = args[++i];
        }
        var parameters = new AppendParameters(
            Backend: options.GetValueOrDefault("backend") ?? "",
            Writers: int.Parse(options.GetValueOrDefault("writers") ?? "16"),
            Events: int.Parse(options.GetValueOrDefault("events") ?? "20000"),
            EventsPerStream: int.Parse(options.GetValueOrDefault("events-per-stream") ?? "100"));
        if (parameters.Backend is not ("postgres" or "esdb") || parameters.Writers < 1 || parameters.Events < parameters.Writers)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var outFolder = options.GetValueOrDefault("out") ?? Path.Combine(RepositoryRoot(), "bench", "results");
        var result = await AppendBenchmark.RunAsync(parameters, Console.WriteLine);
        // What the client cannot see about the server (e.g. an in-memory EventStoreDB node) goes into the record.
        if (options.GetValueOrDefault("note") is { } note) result.Environment["note"] = note;
        result.Print(Console.Out);
        var file = result.Write(outFolder);
        Console.WriteLine($"written: {file}");
        return 0;
    }

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    /// <summary>The folder holding Ledger.sln, looked up from where we run, so results land in the repository.</summary>
    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Ledger.sln"))) return folder.FullName;
        return Environment.CurrentDirectory;
    }
}
