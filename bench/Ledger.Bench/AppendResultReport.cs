using System.Text.Json;

namespace Ledger.Bench;

/// <summary>One way of appending: how long, how fast, how long each append took.</summary>
public sealed record AppendFigures(double Seconds, double EventsPerSecond, Dictionary<string, double> LatencyMs);

/// <summary>One run's figures with what they depend on: machine, commit and parameters.</summary>
public sealed record AppendResultReport(
    AppendParameters Parameters,
    Dictionary<string, string> Environment,
    int EventBytes,
    AppendFigures CommandPath,
    AppendFigures ThroughPort)
{
    /// <summary>For <c>--backend esdb</c>: the official client on the same server right after (bench/esdb-anchor).</summary>
    public AnchorFigures? OfficialClient { get; init; }

    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine($"| {Parameters.Backend,-8} | how                     | writers | events | event bytes | seconds | events/s | p50 ms | p95 ms | p99 ms | max ms |");
        output.WriteLine($"|----------|-------------------------|---------|--------|-------------|---------|----------|--------|--------|--------|--------|");
        foreach (var (how, f) in new[] { ("as the command path", CommandPath), ("through the port", ThroughPort) })
            output.WriteLine(
                $"| ledger   | {how,-23} | {Parameters.Writers,7} | {Parameters.Events,6} | {EventBytes,11} | {f.Seconds,7:F2} | {f.EventsPerSecond,8:F0} " +
                $"| {f.LatencyMs["p50"],6:F2} | {f.LatencyMs["p95"],6:F2} | {f.LatencyMs["p99"],6:F2} | {f.LatencyMs["max"],6:F1} |");
        if (OfficialClient is { } o)
        {
            output.WriteLine(
                $"| official | its revision known       | {o.Writers,7} | {o.Events,6} | {EventBytes,11} | {o.Events / o.AppendsPerSecond,7:F2} | {o.AppendsPerSecond,8:F0} " +
                $"| {o.P50,6:F2} | {o.P95,6:F2} | {o.P99,6:F2} |        |");
            output.WriteLine($"ledger ÷ official client: as the command path {CommandPath.EventsPerSecond / o.AppendsPerSecond:F2}, " +
                             $"through the port {ThroughPort.EventsPerSecond / o.AppendsPerSecond:F2}");
        }
        foreach (var (key, value) in Environment) output.WriteLine($"  {key}: {value}");
    }

    /// <summary>Writes the run as JSON under <paramref name="folder"/> and returns the file's path.</summary>
    public string Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var at = DateTimeOffset.UtcNow;
        var document = new
        {
            benchmark = "append",
            at,
            machine = BenchResults.Machine(),
            commit = BenchResults.Commit(),
            dirty = BenchResults.Dirty(),
            parameters = Parameters,
            environment = Environment,
            // commandPath: the writer holds its tail (one round trip); throughPort: the port reads the tail first (two).
            figures = new { eventBytes = EventBytes, commandPath = CommandPath, throughPort = ThroughPort },
            officialClient = OfficialClient,
            ledgerToOfficialClient = OfficialClient is { } o
                ? new { commandPath = CommandPath.EventsPerSecond / o.AppendsPerSecond, throughPort = ThroughPort.EventsPerSecond / o.AppendsPerSecond }
                : null,
        };
        var path = Path.Combine(folder, $"append-{Parameters.Backend}-{at:yyyyMMddTHHmmssZ}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return path;
    }
}
