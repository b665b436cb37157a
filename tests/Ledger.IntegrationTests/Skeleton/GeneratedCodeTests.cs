using System.Diagnostics;
using Xunit;

namespace Ledger.IntegrationTests.Skeleton;

/// <summary>
/// The API loads Wolverine's handler and endpoint adapters from src/Ledger.Api/Internal/Generated instead of compiling them at
/// start (ADR/0004), so that folder must be exactly what the handlers generate now: a stale file runs an old adapter, a
/// missing endpoint stops the start, and a handler missing from the committed registry is never found (its published
/// messages have no route and are dropped). This runs the API's own
/// <c>codegen write</c> into an empty folder and compares it with the committed one.
/// </summary>
public sealed class GeneratedCodeTests
{
    private const string Folder = "Internal/Generated";

    [Fact]
    public async Task The_committed_handler_and_endpoint_code_is_what_the_handlers_generate_now()
    {
        var scratch = Directory.CreateTempSubdirectory("ledger-codegen-");
        try
        {
            var start = new ProcessStartInfo("dotnet", [Checkout.ProgramPath("src/Ledger.Api", "Ledger.Api.dll"), "codegen", "write"])
            {
                // The content root is the working directory: the code is written below it, not into the checkout.
                WorkingDirectory = scratch.FullName,
            };
            // Generating reads the configuration only; nothing connects.
            start.Environment[Ledger.Api.LedgerSettings.PostgresVariable] = "Host=127.0.0.1;Database=codegen";
            start.Environment.Remove(Ledger.Api.LedgerSettings.EventStoreVariable);
            var run = await ChildProcess.RunToEndAsync(start, TimeSpan.FromMinutes(5));
            Assert.True(run.ExitCode == 0, $"codegen write exited with {run.ExitCode}: {run.Output}");

            var generated = Files(Path.Combine(scratch.FullName, Folder));
            var committed = Files(Path.Combine(Checkout.Root, "src/Ledger.Api", Folder));
            Assert.NotEmpty(generated);
            var stale = generated.Keys.Union(committed.Keys).Order(StringComparer.Ordinal)
                .Where(file => generated.GetValueOrDefault(file) != committed.GetValueOrDefault(file))
                .Select(file => committed.ContainsKey(file) ? generated.ContainsKey(file) ? $"{file} differs" : $"{file} is no longer generated" : $"{file} is missing")
                .ToList();
            Assert.True(stale.Count == 0,
                $"src/Ledger.Api/{Folder} is not what the handlers generate now; run `./ledger codegen` and commit the result:\n" + string.Join("\n", stale));
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>Every file below the folder by its relative path, with its text (line endings as a checkout may have them).</summary>
    private static Dictionary<string, string> Files(string folder) => Directory.Exists(folder)
        ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), f => File.ReadAllText(f).ReplaceLineEndings("\n"))
        : [];
}
