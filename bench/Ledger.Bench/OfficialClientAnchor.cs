using System.Diagnostics;
using System.Text.Json;
using Ledger.EventStore;

namespace Ledger.Bench;

/// <summary>What the official client did with the same events on the same server (bench/esdb-anchor).</summary>
public sealed record AnchorFigures(double AppendsPerSecond, double P50, double P95, double P99, int Events, int Writers);

/// <summary>
/// The reference for <c>append --backend esdb</c>: the official KurrentDB Node client (<c>@kurrent/kurrentdb-client</c>,
/// from npm, installed by <c>npm ci</c> in bench/esdb-anchor on first use) appending the same body and a metadata object of
/// the same size as the ledger's, with the same writers, events and stream length, right after the ledger's run.
/// </summary>
public static class OfficialClientAnchor
{
    public static async Task<AnchorFigures> RunAsync(string repositoryRoot, string connectionString, AppendParameters parameters, EventToAppend sample,
        Action<string> log)
    {
        var folder = Path.Combine(repositoryRoot, "bench", "esdb-anchor");
        if (!Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            log("installing the official client (npm ci in bench/esdb-anchor)…");
            await RunAsync("npm", ["ci"], folder);
        }
        var payload = Path.GetTempFileName();
        var metadata = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(payload, sample.Data.ToArray());
            // The ledger's envelope as its EventStoreDB backend writes it: the metadata plus the hash chain's two links.
            await File.WriteAllTextAsync(metadata, JsonSerializer.Serialize(new
            {
                sample.Metadata.CorrelationId, sample.Metadata.CausationId, sample.Metadata.Actor, sample.Metadata.SourceSystem,
                sample.Metadata.IdempotencyKey, recordedAt = sample.Metadata.RecordedAt.ToString(), schemaVersion = 1,
                previousHash = new string('0', 64), hash = new string('f', 64), appendId = Guid.NewGuid(),
            }, JsonSerializerOptions.Web));
            var output = await RunAsync("node",
                ["append.mjs", connectionString, parameters.Writers.ToString(), parameters.Events.ToString(), parameters.EventsPerStream.ToString(), payload, metadata],
                folder);
            return JsonSerializer.Deserialize<AnchorFigures>(output.Trim().Split('\n')[^1], JsonSerializerOptions.Web)
                   ?? throw new InvalidOperationException($"The official client printed nothing usable: {output}");
        }
        finally
        {
            File.Delete(payload);
            File.Delete(metadata);
        }
    }

    private static async Task<string> RunAsync(string program, string[] args, string folder)
    {
        var start = new ProcessStartInfo(program, args) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {await error}");
        return await output;
    }
}
