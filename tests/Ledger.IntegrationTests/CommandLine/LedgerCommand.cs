using System.Diagnostics;

namespace Ledger.IntegrationTests.CommandLine;

/// <summary><c>ledger &lt;verb&gt;</c> as a process from its build output, with its own <c>LEDGER_HOME</c> and API URL.</summary>
internal static class LedgerCommand
{
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string home, string url, IReadOnlyList<string> arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet", [Checkout.ProgramPath("src/Ledger.Cli", "ledger.dll"), .. arguments]) { WorkingDirectory = home };
        start.Environment["LEDGER_HOME"] = home;
        start.Environment["LEDGER_URL"] = url;
        start.Environment["LEDGER_BILLING_SIMULATOR_URL"] = $"http://127.0.0.1:{RunningLedger.FreePort()}";
        start.Environment["COLUMNS"] = "200";
        foreach (var name in new[] { "LEDGER_API_KEY", "LEDGER_BILLING_URL", "LEDGER_EVENTSTORE", "LEDGER_POSTGRES" }) start.Environment.Remove(name);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var run = await ChildProcess.RunToEndAsync(start, TimeSpan.FromMinutes(5));
        return (run.ExitCode, run.Output);
    }
}
