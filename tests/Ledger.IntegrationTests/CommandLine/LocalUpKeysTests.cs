using System.Net;
using System.Text.RegularExpressions;
using Ledger.Testing;
using Xunit;

namespace Ledger.IntegrationTests.CommandLine;

/// <summary>
/// <c>ledger up</c> as a process (issue 18, ADR/0023): every key it prints authenticates, its key files are owner-only,
/// the file the API reads holds hashes only, and no key is in the API process's environment.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes and /proc: the ledger runs on Linux
public sealed class LocalUpKeysTests : IAsyncLifetime
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), $"ledger-up-{Guid.NewGuid():N}");
    private readonly string _url = $"http://127.0.0.1:{RunningLedger.FreePort()}";

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_home);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await LedgerAsync("down"); // stops the API and the simulator this test's `up` started, by their pid files
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task Every_key_ledger_up_prints_works_and_none_is_in_the_api_environment_or_a_readable_file()
    {
        var up = await LedgerAsync("up", ("LEDGER_POSTGRES", await TestPostgres.CreateDatabaseAsync("ledger_up")));
        Assert.True(up.ExitCode == 0, up.Output);

        // "  partner-portal  crm (partner-portal)  partner-portal-0f3a…": the key is the last word of each client line.
        var printed = Regex.Matches(up.Output, @"^\s+(?<name>[a-z-]+)\s+(?<role>[a-z]+)(?: \([a-z-]+\))?\s+(?<key>\k<name>-[0-9a-f]{32})\s*$", RegexOptions.Multiline)
            .Select(m => (Name: m.Groups["name"].Value, Key: m.Groups["key"].Value)).ToList();
        Assert.Equal(9, printed.Count);
        Assert.Contains(printed, p => p.Name == "partner-portal");

        foreach (var (name, key) in printed)
        {
            using var client = new HttpClient { BaseAddress = new Uri(_url) };
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            // Finance and admin may read the summary, the others are forbidden: either way the key authenticated.
            var status = (await client.GetAsync("/revenue/summary")).StatusCode;
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Forbidden, $"{name}'s printed key answered {(int)status}");
        }

        var keysFile = Path.Combine(_home, "clients.json");
        var hashesFile = Path.Combine(_home, "api-clients.sha256.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keysFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(hashesFile));
        var hashes = await File.ReadAllTextAsync(hashesFile);
        var environment = await File.ReadAllTextAsync($"/proc/{(await File.ReadAllTextAsync(Path.Combine(_home, "api.pid"))).Trim()}/environ");
        Assert.Contains("Ledger__ClientsFile=", environment);
        foreach (var (name, key) in printed)
        {
            Assert.DoesNotContain(key, hashes);
            Assert.False(environment.Contains(key, StringComparison.Ordinal), $"{name}'s key is in the API process's environment");
        }
    }

    private Task<(int ExitCode, string Output)> LedgerAsync(string verb, params (string Name, string Value)[] environment) =>
        LedgerCommand.RunAsync(_home, _url, [verb], environment);
}
