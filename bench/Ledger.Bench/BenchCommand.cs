using System.Globalization;

namespace Ledger.Bench;

/// <summary>
/// Reads <c>Ledger.Bench &lt;verb&gt; [--option value …]</c>. One place decides before any work starts: <c>--help</c>
/// (or <c>-h</c>) prints the verb's usage and exits 0; an unknown verb or option, a missing value or one that does
/// not parse prints the usage and exits 2.
/// </summary>
public static class BenchCommand
{
    private const int UsageError = 2;

    /// <summary>One option: <c>--name VALUE</c>, or a bare switch when <see cref="Value"/> is null.</summary>
    private sealed record Option(string Name, string? Value);

    private sealed record Verb(string Name, string Usage, Option[] Options, Func<Arguments, Task<int>> Run);

    private static readonly Verb[] Verbs =
    [
        new("append",
            "usage: Ledger.Bench append --backend postgres|esdb [--writers 16] [--events 20000] [--events-per-stream 100] [--out bench/results] [--note text]\n" +
            "  postgres: a throwaway durable cluster (fsync on) unless LEDGER_BENCH_POSTGRES names a server\n" +
            "  esdb:     the server LEDGER_TEST_ESDB names",
            [new("--backend", "postgres|esdb"), new("--writers", "N"), new("--events", "N"), new("--events-per-stream", "N"), new("--out", "FOLDER"), new("--note", "TEXT")],
            RunAppend),
        new("timeline",
            "usage: Ledger.Bench timeline --events 10000   (one quote's auditor timeline vs a raw read, throwaway cluster with fsync on)",
            [new("--events", "N")],
            a => TimelineBenchmark.RunAsync(a.Int("--events", null), ResultsFolder())),
        new("commands",
            "usage: Ledger.Bench commands [--clients 1,16,64] [--seconds 20] [--statements]   (HTTP quote journeys vs pgbench -N and raw Marten appends, throwaway cluster with fsync on)",
            [new("--clients", "N,N…"), new("--seconds", "N"), new("--statements", null)],
            a => CommandBenchmark.RunAsync(a.Ints("--clients", [1, 16, 64]), a.Int("--seconds", 20), ResultsFolder(), a.Has("--statements"))),
        new("growth",
            "usage: Ledger.Bench growth [--history 10000,10000000] [--clients 1,16] [--seconds 20]   (command latency with that many events already stored, throwaway cluster with fsync on)",
            [new("--history", "N,N…"), new("--clients", "N,N…"), new("--seconds", "N")],
            a => GrowthBenchmark.RunAsync(a.Longs("--history", [10_000, 10_000_000]), a.Ints("--clients", [1, 16]), a.Int("--seconds", 20), ResultsFolder())),
        new("rebuild",
            "usage: Ledger.Bench rebuild --events 100000 [--tunings ledger,marten-defaults|none]   (every projection rebuilt under each daemon tuning vs reading and deserializing the same events, throwaway cluster with fsync on)",
            [new("--events", "N"), new("--tunings", "T,T…")],
            a => RebuildBenchmark.RunAsync(a.Int("--events", null), a.Strings("--tunings", ["ledger", "marten-defaults"]), ResultsFolder())),
        new("finance",
            "usage: Ledger.Bench finance --quotes 1000000 [--explain]   (finance's discrepancy list through the API: first page under each filter and the CSV, beside main's statement; throwaway cluster with fsync on)",
            [new("--quotes", "N"), new("--explain", null)],
            a => FinanceBenchmark.RunAsync(a.Int("--quotes", null), ResultsFolder(), a.Has("--explain"))),
        new("catalog",
            "usage: Ledger.Bench catalog [--versions 1,1000] [--clients 1,16] [--seconds 20]   (command latency with that many published catalog versions, throwaway cluster with fsync on)",
            [new("--versions", "N,N…"), new("--clients", "N,N…"), new("--seconds", "N")],
            a => CatalogBenchmark.RunAsync(a.Ints("--versions", [1, 1000]), a.Ints("--clients", [1, 16]), a.Int("--seconds", 20), ResultsFolder())),
    ];

    private static string AllUsages => string.Join('\n', Verbs.Select(v => v.Usage)) + "\n  -h, --help after any verb: its usage; runs nothing";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            var help = args.Length > 0;
            (help ? Console.Out : Console.Error).WriteLine(AllUsages);
            return help ? 0 : UsageError;
        }
        if (Verbs.FirstOrDefault(v => v.Name == args[0]) is not { } verb)
        {
            Console.Error.WriteLine($"unknown benchmark '{args[0]}'\n{AllUsages}");
            return UsageError;
        }
        // `--help` anywhere after the verb prints its usage and runs nothing.
        if (args.Skip(1).Any(a => a is "--help" or "-h"))
        {
            Console.WriteLine(verb.Usage);
            return 0;
        }
        Task<int> run;
        try
        {
            // Every value is parsed here, before the benchmark starts: a typo must not cost a run. Each verb's Run parses
            // its arguments synchronously (none is an async method), so a UsageException surfaces here, not from the await.
            run = verb.Run(Arguments.Parse(verb, args[1..]));
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"{verb.Name}: {e.Message}\n{verb.Usage}");
            return UsageError;
        }
        return await run;
    }

    /// <summary>Checks the options (throwing <see cref="UsageException"/>) before it returns the run.</summary>
    private static Task<int> RunAppend(Arguments a)
    {
        var parameters = new AppendParameters(
            Backend: a.Text("--backend") ?? "",
            Writers: a.Int("--writers", 16),
            Events: a.Int("--events", 20000),
            EventsPerStream: a.Int("--events-per-stream", 100));
        if (parameters.Backend is not ("postgres" or "esdb")) throw new UsageException("--backend is postgres or esdb");
        if (parameters.Writers < 1 || parameters.Events < parameters.Writers) throw new UsageException("--writers is at least 1 and at most --events");
        return RunAppendAsync(parameters, a.Text("--out") ?? ResultsFolder(), a.Text("--note"));
    }

    private static async Task<int> RunAppendAsync(AppendParameters parameters, string outFolder, string? note)
    {
        var result = await AppendBenchmark.RunAsync(parameters, Console.WriteLine);
        // The same events on the same server through the official client, in the same run: the figure's reference.
        if (parameters.Backend == "esdb")
            result = result with
            {
                OfficialClient = await OfficialClientAnchor.RunAsync(RepositoryRoot(), result.Environment["server"], parameters,
                    AppendBenchmark.SampleEvent(), Console.WriteLine),
            };
        // What the client cannot see about the server (e.g. an in-memory EventStoreDB node) goes into the record.
        if (note is not null) result.Environment["note"] = note;
        result.Print(Console.Out);
        var file = result.Write(outFolder);
        Console.WriteLine($"written: {file}");
        return 0;
    }

    private sealed class UsageException(string message) : Exception(message);

    /// <summary>A verb's options, checked against what it takes.</summary>
    private sealed class Arguments
    {
        private readonly Dictionary<string, string?> _given = new(StringComparer.Ordinal);

        public static Arguments Parse(Verb verb, string[] args)
        {
            var parsed = new Arguments();
            for (var i = 0; i < args.Length; i++)
            {
                var option = verb.Options.FirstOrDefault(o => o.Name == args[i])
                             ?? throw new UsageException(args[i].StartsWith('-') ? $"unknown option '{args[i]}'" : $"unexpected argument '{args[i]}'");
                if (option.Value is null)
                {
                    parsed._given[option.Name] = null;
                    continue;
                }
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new UsageException($"{option.Name} needs a value ({option.Value})");
                parsed._given[option.Name] = args[++i];
            }
            return parsed;
        }

        public bool Has(string name) => _given.ContainsKey(name);

        public string? Text(string name) => _given.GetValueOrDefault(name);

        /// <param name="fallback">null: the option is required.</param>
        public int Int(string name, int? fallback) =>
            Text(name) is { } text ? Number(name, text, int.Parse)
            : fallback ?? throw new UsageException($"{name} is required");

        public int[] Ints(string name, int[] fallback) =>
            Text(name) is { } text ? text.Split(',').Select(t => Number(name, t, int.Parse)).ToArray() : fallback;

        public string[] Strings(string name, string[] fallback) => Text(name) is { } text ? text.Split(',') : fallback;

        public long[] Longs(string name, long[] fallback) =>
            Text(name) is { } text ? text.Split(',').Select(t => Number(name, t, long.Parse)).ToArray() : fallback;

        private static T Number<T>(string name, string text, Func<string, NumberStyles, IFormatProvider, T> parse)
        {
            try
            {
                return parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                throw new UsageException($"{name}: '{text}' is not a whole number");
            }
        }
    }

    private static string ResultsFolder() => Path.Combine(RepositoryRoot(), "bench", "results");

    /// <summary>The folder holding Ledger.sln, looked up from where we run, so results land in the repository.</summary>
    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Ledger.sln"))) return folder.FullName;
        return Environment.CurrentDirectory;
    }
}
