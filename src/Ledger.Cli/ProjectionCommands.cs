using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Spectre.Console;

namespace Ledger.Cli;

/// <summary><c>ledger projections</c> and <c>ledger reconcile</c>: the read side at a terminal, through the running API.</summary>
public static class ProjectionCommands
{
    /// <summary><c>ledger projections</c> lists positions and lag; <c>ledger projections rebuild [name]</c> rebuilds one or all, with progress.</summary>
    public static async Task<int> ProjectionsAsync(string[] args)
    {
        using var api = await LocalLedger.ApiClientAsync("admin");
        if (args.FirstOrDefault() != "rebuild")
        {
            var table = new Table().AddColumns("projection", "position", "newest event", "behind", "seconds behind", "last rebuild");
            foreach (var p in await StatusAsync(api))
                table.AddRow(p.Name, Text(p.Position), Text(p.HighestEvent), Text(p.EventsBehind), p.SecondsBehind.ToString("0.#", CultureInfo.InvariantCulture),
                    p.Rebuild is { } r ? r.Status : "-");
            AnsiConsole.Write(table);
            return 0;
        }

        // One projection, or all of them in one pass over the events (ADR/0014, "Rebuilds").
        var names = args.Length > 1 ? [args[1]] : (await StatusAsync(api)).Select(p => p.Name).ToArray();
        using (var request = new HttpRequestMessage(HttpMethod.Post, args.Length > 1 ? $"projections/{Uri.EscapeDataString(args[1])}/rebuild" : "projections/rebuild"))
        {
            request.Headers.Add("Idempotency-Key", $"rebuild-{(args.Length > 1 ? args[1] : "all")}-{Guid.NewGuid():N}");
            var started = await api.SendAsync(request);
            if (!started.IsSuccessStatusCode)
                throw new InvalidOperationException($"Rebuilding {string.Join(", ", names)}: {(int)started.StatusCode} {await started.Content.ReadAsStringAsync()}");
        }

        // A rebuild starts its projection's position at 0: the position over the time since the start is its rate.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var rates = names.ToDictionary(n => n, _ => 0.0);
        var final = await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var bars = names.ToDictionary(n => n, n => progress.AddTask(n, maxValue: 1));
                while (true)
                {
                    var status = (await StatusAsync(api)).Where(p => names.Contains(p.Name)).ToList();
                    foreach (var p in status)
                    {
                        var bar = bars[p.Name];
                        bar.MaxValue = Math.Max(1, p.HighestEvent);
                        if (p.Rebuild?.Status == "Running")
                        {
                            bar.Value = p.Position;
                            rates[p.Name] = p.Position / Math.Max(0.001, clock.Elapsed.TotalSeconds);
                        }
                        else if (!bar.IsFinished)
                        {
                            // Finished between two looks: its rate over the time until this look, a little low rather than high.
                            if (rates[p.Name] == 0) rates[p.Name] = p.Position / Math.Max(0.001, clock.Elapsed.TotalSeconds);
                            bar.Value = bar.MaxValue;
                        }
                        bar.Description = $"{p.Name} {Rate(rates[p.Name])}";
                    }
                    if (status.All(p => p.Rebuild is { Status: not "Running" })) return status;
                    await Task.Delay(500);
                }
            });
        foreach (var p in final)
            if (p.Rebuild!.Status == "Completed")
                AnsiConsole.MarkupLineInterpolated($"{p.Name}: rebuilt through event {p.Position:N0} of {p.HighestEvent:N0} ({Rate(rates[p.Name])} while it ran; {clock.Elapsed.TotalSeconds:0.#} s for all)");
            else AnsiConsole.MarkupLineInterpolated($"[red]{p.Name}: {p.Rebuild.Status} {p.Rebuild.Error}[/]");
        return final.All(p => p.Rebuild!.Status == "Completed") ? 0 : 1;
    }

    /// <summary><c>ledger reconcile [--format table|csv|json] [--status open|all|…] [--rule R] [--crm C] [--owner O] [--min-age-hours N] [--as-of INSTANT]</c>.</summary>
    public static async Task<int> ReconcileAsync(string[] args)
    {
        var format = Option(args, "--format") ?? "table";
        if (format is not ("table" or "csv" or "json")) throw new InvalidOperationException($"--format is table, csv or json, not '{format}'.");
        var query = string.Join('&', new[] { ("status", "--status"), ("rule", "--rule"), ("crm", "--crm"), ("owner", "--owner"), ("minAgeHours", "--min-age-hours"), ("asOf", "--as-of") }
            .Where(o => Option(args, o.Item2) is not null)
            .Select(o => $"{o.Item1}={Uri.EscapeDataString(Option(args, o.Item2)!)}")
            .Append(format == "csv" ? "format=csv" : "pageSize=500"));

        using var api = await LocalLedger.ApiClientAsync("finance");
        var response = await api.GetAsync($"reconciliation/discrepancies?{query}");
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode}: {body}");
        if (format != "table")
        {
            Console.Write(format == "json" ? JsonSerializer.Serialize(JsonDocument.Parse(body), new JsonSerializerOptions { WriteIndented = true }) + "\n" : body);
            return 0;
        }

        var page = JsonDocument.Parse(body).RootElement;
        var table = new Table().AddColumns("id", "severity", "owner", "status", "detected at", "age (h)", "expected", "actual", "detail");
        foreach (var r in page.GetProperty("items").EnumerateArray())
            table.AddRow(Markup.Escape(r.GetProperty("id").GetString()!), r.GetProperty("severity").GetString()!, Markup.Escape(r.GetProperty("owner").GetString()!),
                r.GetProperty("status").GetString()!, r.GetProperty("detectedAt").GetString()!, Hours(r.GetProperty("age").GetString()!),
                Amount(r.GetProperty("expected")), Amount(r.GetProperty("actual")), Markup.Escape(r.GetProperty("detail").GetString()!));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"{page.GetProperty("total").GetInt32()}{(page.TryGetProperty("totalIsAtLeast", out var atLeast) && atLeast.GetBoolean() ? "+" : "")} discrepancies (showing {page.GetProperty("items").GetArrayLength()}), as of {page.GetProperty("asOf").GetString()}");
        return 0;
    }

    private sealed record Rebuild(string Status, string? Error);

    private sealed record Projection(string Name, long Position, long HighestEvent, long EventsBehind, double SecondsBehind, Rebuild? Rebuild);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    private static async Task<List<Projection>> StatusAsync(HttpClient api) =>
        await api.GetFromJsonAsync<List<Projection>>("projections", Json) ?? [];

    private static string Rate(double eventsPerSecond) => $"{eventsPerSecond.ToString("N0", CultureInfo.InvariantCulture)} events/s";

    private static string Text(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Amount(JsonElement amount) =>
        amount.ValueKind == JsonValueKind.Object ? $"{amount.GetProperty("value").GetDecimal().ToString(CultureInfo.InvariantCulture)} {amount.GetProperty("currency").GetString()}" : "";

    /// <summary>The API writes durations NodaTime's JSON way: total hours, minutes, seconds.</summary>
    private static string Hours(string duration) =>
        NodaTime.Text.DurationPattern.CreateWithInvariantCulture("-H:mm:ss.FFFFFFFFF").Parse(duration).Value.TotalHours.ToString("0.#", CultureInfo.InvariantCulture);

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
