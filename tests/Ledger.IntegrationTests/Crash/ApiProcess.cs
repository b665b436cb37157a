using System.Net.Sockets;
using System.Collections.Concurrent;
using System.Diagnostics;
using Ledger.Api;

namespace Ledger.IntegrationTests.Crash;

/// <summary>
/// The ledger API as its own operating-system process (the build output of src/Ledger.Api), so that a test can kill
/// it with SIGKILL, as a crash or an out-of-memory kill would, and start it again on the same database and port.
/// With <c>LEDGER_API_PROGRAM</c> set to a published <c>ledger.dll</c> (what <c>./ledger</c> publishes, ReadyToRun), it runs
/// that program's <c>serve</c>, the API <c>ledger up</c> starts, so a restart is timed as users meet it (issue 20).
/// </summary>
public sealed class ApiProcess(string postgresConnectionString, IReadOnlyDictionary<string, string> settings) : IAsyncDisposable
{
    private Process? _process;

    public Uri Address { get; } = new($"http://127.0.0.1:{RunningLedger.FreePort()}/");

    public int Starts { get; private set; }

    /// <summary>From each start to the first ready answer: after a SIGKILL, how long clients go unanswered (issue 20 asks ≤ 3 s).</summary>
    public List<TimeSpan> TimesToReady { get; } = [];

    /// <summary>Each start's own account of where its time went (<c>Ledger:StartupTimings</c>, ADR/0025), as the API logged it.</summary>
    public ConcurrentQueue<string> StartupTimings { get; } = new();

    /// <summary>
    /// Every line the API wrote (warnings and errors, and each billing handoff's handling), prefixed with the start it came
    /// from: when a run fails, what the processes said about the failing order is the first thing to read.
    /// </summary>
    public ConcurrentQueue<string> Log { get; } = new();

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dotnet", [.. ApiProgram(), "--urls", Address.ToString().TrimEnd('/')])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment[LedgerSettings.PostgresVariable] = postgresConnectionString;
        start.Environment["Ledger__PublicUrl"] = Address.ToString();
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Ledger__StartupTimings"] = "true";
        start.Environment["Logging__LogLevel__Ledger.Startup"] = "Information";
        start.Environment[$"Logging__LogLevel__{Ledger.Application.Billing.BillingHandoffHandler.LogCategory}"] = "Information";
        // The API logs one JSON object per line; a timestamp on each says when it happened.
        start.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        if (Ledger.Testing.TestEventStore.For(postgresConnectionString) is { } eventStore) start.Environment[LedgerSettings.EventStoreVariable] = eventStore;
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;
        var started = Stopwatch.StartNew();
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the API.");
        // Drain its output so it never blocks on a full pipe.
        var run = Starts + 1;
        _process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null) return;
            if (line.Data.Contains("Start-up timings", StringComparison.Ordinal)) StartupTimings.Enqueue(line.Data);
            Log.Enqueue($"[start {run}] {line.Data}");
        };
        _process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null) Log.Enqueue($"[start {run}, stderr] {line.Data}");
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Starts++;

        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The API exited with code {_process.ExitCode} on start {Starts}.");
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    TimesToReady.Add(started.Elapsed);
                    return;
                }
            }
            catch (Exception e) when (NoAnswer(e)) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("The API did not become ready within 90 s.");
    }

    /// <summary>
    /// What a client sees when the API dies under its request: no answer, so it asks again. A kill while a connection is
    /// being set up can also surface as a bare <see cref="SocketException"/> (.NET reading the new socket's remote end
    /// point: "Transport endpoint is not connected"), not wrapped in an <see cref="HttpRequestException"/>.
    /// </summary>
    public static bool NoAnswer(Exception e) => e is HttpRequestException or TaskCanceledException or SocketException;

    /// <summary>SIGKILL: no shutdown hooks, no flushing, in-flight requests cut off.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } p) return;
        using (var kill = Process.Start("kill", ["-KILL", p.Id.ToString()])) await kill.WaitForExitAsync();
        await p.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }

    public const string ProgramVariable = "LEDGER_API_PROGRAM";

    /// <summary>The published CLI's <c>serve</c> when <see cref="ProgramVariable"/> names it, else the API's build output.</summary>
    public static string[] ApiProgram() => Environment.GetEnvironmentVariable(ProgramVariable) is { Length: > 0 } published
        ? File.Exists(published) ? [published, "serve"] : throw new InvalidOperationException($"{ProgramVariable}={published} does not exist: run ./ledger --help to publish it.")
        : [Checkout.ProgramPath("src/Ledger.Api", "Ledger.Api.dll")];
}
