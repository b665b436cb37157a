using System.Diagnostics;
using Ledger.LocalPostgres;
using Xunit;

namespace Ledger.IntegrationTests.CommandLine;

/// <summary>
/// <c>--help</c> and <c>-h</c> on every <c>ledger</c> verb and every <c>Ledger.Bench</c> verb print that verb's usage,
/// exit 0 and run nothing; an unknown verb or option prints the usage and exits non-zero, also running nothing. Both
/// programs run as processes from their build output (src/Ledger.Cli, bench/Ledger.Bench), each in a folder of its own:
/// <list type="bullet">
/// <item>the CLI with <c>LEDGER_HOME</c> pointing at a folder that does not exist (<c>ledger up</c> creates it first
/// thing, before any cluster), <c>LEDGER_BILLING_URL</c> invalid (so an <c>up</c> that runs fails at once, starting no
/// process), and a PostgreSQL and an API that nothing listens for (so any other verb that runs fails or prints a status
/// instead of the usage);</item>
/// <item>the bench from a folder holding an empty Ledger.sln, so its results would land in that folder's
/// bench/results, and with TMPDIR of its own, where a throwaway cluster (ledger-bench-*) would be made.</item>
/// </list>
/// </summary>
public sealed class HelpTests : IDisposable
{
    /// <summary>Far more than either program needs to print its usage; a verb that runs instead takes minutes or fails.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static readonly string[] LedgerVerbs =
        ["up", "down", "status", "serve", "billing-simulator", "timeline", "verify", "anchor", "projections", "reactions", "reconcile", "demo"];

    public static readonly string[] BenchVerbs = ["append", "timeline", "commands", "growth", "rebuild", "catalog", "finance"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"ledger-help-{Guid.NewGuid():N}");

    public HelpTests() => Directory.CreateDirectory(_root);

    private string LedgerHome => Path.Combine(_root, "ledger-home");
    private string BenchFolder => Path.Combine(_root, "checkout");
    private string BenchResults => Path.Combine(BenchFolder, "bench", "results");
    private string BenchTemp => Path.Combine(_root, "tmp");

    public static TheoryData<string, string> EveryLedgerVerb() => Each(LedgerVerbs);

    public static TheoryData<string, string> EveryBenchVerb() => Each(BenchVerbs);

    [Theory]
    [MemberData(nameof(EveryLedgerVerb))]
    public async Task Help_on_a_ledger_verb_prints_its_usage_and_runs_nothing(string verb, string help)
    {
        var run = await LedgerAsync(verb, help);

        AssertUsage(run, 0, $"usage: ledger {verb}");
        Assert.Contains("-h, --help", run.Out);
        Assert.Equal("", run.Error);
        AssertLedgerRanNothing();
    }

    /// <summary>After arguments the verb would take too: the help still wins.</summary>
    [Theory]
    [InlineData("up", "--url", "http://127.0.0.1:5999", "--help")]
    [InlineData("timeline", "Q-1", "--format", "json", "-h")]
    [InlineData("verify", "--all", "--help")]
    [InlineData("projections", "rebuild", "quote-view", "--help")]
    [InlineData("reactions", "retry", "7", "-h")]
    [InlineData("reconcile", "--format", "csv", "--help")]
    [InlineData("up", "--no-such-option", "--help")]
    public async Task Help_after_arguments_prints_the_usage_and_runs_nothing(params string[] args)
    {
        var run = await LedgerAsync(args);

        AssertUsage(run, 0, $"usage: ledger {args[0]}");
        AssertLedgerRanNothing();
    }

    [Fact]
    public async Task Help_without_a_verb_lists_every_verb_and_help_names_one()
    {
        foreach (var overview in new[] { await LedgerAsync(), await LedgerAsync("--help"), await LedgerAsync("-h"), await LedgerAsync("help") })
        {
            AssertUsage(overview, 0, "ledger —");
            Assert.Contains("usage: ledger <verb>", overview.Out);
            // Every verb the program lists is one these tests cover, and the other way round.
            var listed = overview.Out.Split('\n').Where(l => l.StartsWith("  ledger ", StringComparison.Ordinal))
                .Select(l => l.Trim().Split(' ')[1]).ToHashSet();
            Assert.Equal(LedgerVerbs.Order(), listed.Order());
        }
        AssertUsage(await LedgerAsync("help", "reconcile"), 0, "usage: ledger reconcile");
        AssertLedgerRanNothing();
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("help", "bogus")]
    [InlineData("up", "--bogus")]
    [InlineData("up", "--url")]
    [InlineData("up", "extra")]
    [InlineData("status", "--verbose")]
    [InlineData("down", "now")]
    [InlineData("serve", "--port", "5000")]
    [InlineData("timeline")]
    [InlineData("timeline", "Q-1", "Q-2")]
    [InlineData("verify", "--everything")]
    [InlineData("projections", "rebiuld")]
    [InlineData("reactions", "retry", "7", "8")]
    [InlineData("reconcile", "--fromat", "csv")]
    public async Task An_unknown_verb_option_or_argument_prints_the_usage_and_exits_non_zero_running_nothing(params string[] args)
    {
        var run = await LedgerAsync(args);

        Assert.True(run.ExitCode != 0, $"exit code 0 for 'ledger {string.Join(' ', args)}':\n{run.Out}{run.Error}");
        Assert.Contains("usage: ledger", run.Error);
        Assert.Equal("", run.Out);
        AssertLedgerRanNothing();
    }

    [Theory]
    [MemberData(nameof(EveryBenchVerb))]
    public async Task Help_on_a_bench_verb_prints_its_usage_and_runs_nothing(string verb, string help)
    {
        var run = await BenchAsync(verb, help);

        AssertUsage(run, 0, $"usage: Ledger.Bench {verb}");
        Assert.Equal("", run.Error);
        AssertBenchRanNothing();
    }

    [Theory]
    [InlineData("commands", "--clients", "16", "--seconds", "15", "--help")]
    [InlineData("timeline", "--events", "10000", "-h")]
    [InlineData("rebuild", "--events", "100000", "--help")]
    [InlineData("append", "--backend", "postgres", "--writers", "16", "--events", "10000", "--help")]
    public async Task Bench_help_after_arguments_prints_the_usage_and_runs_nothing(params string[] args)
    {
        var run = await BenchAsync(args);

        AssertUsage(run, 0, $"usage: Ledger.Bench {args[0]}");
        AssertBenchRanNothing();
    }

    [Fact]
    public async Task Bench_help_without_a_verb_lists_every_verb()
    {
        var run = await BenchAsync("--help");

        AssertUsage(run, 0, "usage: Ledger.Bench");
        var listed = run.Out.Split('\n').Where(l => l.StartsWith("usage: Ledger.Bench ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]);
        Assert.Equal(BenchVerbs.Order(), listed.Order());
        AssertBenchRanNothing();
    }

    [Theory]
    [InlineData]
    [InlineData("bogus")]
    [InlineData("commands", "--clinets", "16")]
    [InlineData("commands", "--clients", "many")]
    [InlineData("commands", "16")]
    [InlineData("growth", "--seconds")]
    [InlineData("timeline")]
    [InlineData("rebuild", "--events", "1e5")]
    [InlineData("catalog", "--versions", "1,x")]
    [InlineData("append", "--backend", "mysql")]
    public async Task Bench_refuses_what_it_does_not_know_with_the_usage_and_runs_nothing(params string[] args)
    {
        var run = await BenchAsync(args);

        Assert.True(run.ExitCode != 0, $"exit code 0 for 'Ledger.Bench {string.Join(' ', args)}':\n{run.Out}{run.Error}");
        Assert.Contains("usage: Ledger.Bench", run.Error);
        AssertBenchRanNothing();
    }

    /// <summary>A system of record it cannot use is refused before anything starts: no cluster, no API, no simulator.</summary>
    [Theory]
    [InlineData("mysql://127.0.0.1/ledger")]
    [InlineData("esdb://127.0.0.1:2113?nodePreference=readOnlyReplica")]
    public async Task Up_refuses_an_event_store_it_cannot_use_before_starting_anything(string eventStore)
    {
        var run = await LedgerAsync("up", "--billing", "http://127.0.0.1:1", "--eventstore", eventStore);

        Assert.True(run.ExitCode != 0, $"exit code 0 for 'ledger up --eventstore {eventStore}':\n{run.Out}{run.Error}");
        Assert.Contains("--eventstore is 'postgres' or an EventStoreDB connection string", run.Out + run.Error);
        Assert.DoesNotContain("PostgreSQL:", run.Out);
        Assert.False(File.Exists(Path.Combine(LedgerHome, "api.pid")), "an API was started");
    }

    public void Dispose()
    {
        // Only when a bench ran after all: its throwaway cluster is stopped rather than left running.
        if (Directory.Exists(BenchTemp) && PostgresBinaries.Find() is { } binaries)
            foreach (var folder in Directory.GetDirectories(BenchTemp, "ledger-bench-*"))
                new LocalPostgresCluster(folder, binaries).DeleteAsync().GetAwaiter().GetResult();
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static TheoryData<string, string> Each(IEnumerable<string> verbs)
    {
        var data = new TheoryData<string, string>();
        foreach (var verb in verbs)
        {
            data.Add(verb, "--help");
            data.Add(verb, "-h");
        }
        return data;
    }

    private static void AssertUsage(Run run, int exitCode, string firstLine)
    {
        Assert.True(run.ExitCode == exitCode, $"exit code {run.ExitCode}, not {exitCode}:\n{run.Out}\n{run.Error}");
        Assert.StartsWith(firstLine, run.Out);
        Assert.Contains("usage", run.Out);
    }

    /// <summary><c>ledger up</c> makes LEDGER_HOME before anything else; nothing else may have made it either.</summary>
    private void AssertLedgerRanNothing() =>
        Assert.False(Directory.Exists(LedgerHome), $"{LedgerHome} was created: a ledger command ran.");

    /// <summary>A benchmark writes its results under the checkout and makes its throwaway cluster in TMPDIR.</summary>
    private void AssertBenchRanNothing()
    {
        Assert.False(Directory.Exists(BenchResults), $"{BenchResults} was created: a benchmark ran.");
        Assert.Empty(Directory.Exists(BenchTemp) ? Directory.GetDirectories(BenchTemp, "ledger-bench-*") : []);
    }

    private Task<Run> LedgerAsync(params string[] args) => RunAsync(Checkout.ProgramPath("src/Ledger.Cli", "ledger.dll"), _root, new Dictionary<string, string>
    {
        ["LEDGER_HOME"] = LedgerHome,
        ["LEDGER_BILLING_URL"] = "not-a-url",
        // Port 1: nothing listens, so a verb that runs fails at once instead of reaching a real ledger.
        ["LEDGER_POSTGRES"] = "Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=2",
        ["LEDGER_URL"] = "http://127.0.0.1:1",
        ["LEDGER_API_KEY"] = "none",
        ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
    }, args);

    private Task<Run> BenchAsync(params string[] args)
    {
        Directory.CreateDirectory(BenchFolder);
        Directory.CreateDirectory(BenchTemp);
        File.WriteAllText(Path.Combine(BenchFolder, "Ledger.sln"), "");
        return RunAsync(Checkout.ProgramPath("bench/Ledger.Bench", "Ledger.Bench.dll"), BenchFolder, new Dictionary<string, string>
        {
            ["TMPDIR"] = BenchTemp,
            ["LEDGER_BENCH_POSTGRES"] = "Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=2",
            ["LEDGER_TEST_ESDB"] = "esdb://127.0.0.1:1?tls=false",
        }, args);
    }

    private sealed record Run(int ExitCode, string Out, string Error);

    private static async Task<Run> RunAsync(string dll, string workingDirectory, IReadOnlyDictionary<string, string> environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [dll, .. args]) { WorkingDirectory = workingDirectory };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var run = await ChildProcess.RunAsync(start, Patience);
        if (run.TimedOut)
            Assert.Fail($"'{Path.GetFileName(dll)} {string.Join(' ', args)}' was still running after {Patience.TotalSeconds} s: it ran instead of printing its usage.\n{run.Out}\n{run.Error}");
        return new Run(run.ExitCode, run.Out.Replace("\r\n", "\n"), run.Error.Replace("\r\n", "\n"));
    }

}
