using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Ledger.Cli;

/// <summary><c>ledger reactions</c>: what follows events, at a terminal, through the running API.</summary>
public static class ReactionCommands
{
    /// <summary>
    /// <c>ledger reactions</c> shows the processor's position, how far behind it is, the parked reactions and the dead-letter count
    /// (exit code 3 when anything is stuck); <c>ledger reactions retry &lt;id&gt;</c> runs a parked one again.
    /// </summary>
    public static async Task<int> ReactionsAsync(string[] args)
    {
        using var api = await LocalLedger.ApiClientAsync("admin");
        if (args.FirstOrDefault() == "retry")
        {
            var id = args.ElementAtOrDefault(1) is { } text && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new InvalidOperationException("ledger reactions retry <id>: the id of a parked reaction, as 'ledger reactions' lists it.");
            using var request = new HttpRequestMessage(HttpMethod.Post, $"reactions/parked/{id}/retry");
            request.Headers.Add("Idempotency-Key", $"reaction-retry-{id}-{Guid.NewGuid():N}");
            var response = await api.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode}: {body}");
            AnsiConsole.MarkupLineInterpolated($"Parked reaction {id} ran again and left the list.");
            return 0;
        }

        var status = await api.GetAsync("reactions");
        var json = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement;
        if (!status.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)status.StatusCode}: {json}");
        var behind = json.GetProperty("eventsBehind").GetInt64();
        AnsiConsole.MarkupLineInterpolated(
            $"position {json.GetProperty("position").GetInt64():N0}, {(behind >= 10_000 ? "10,000 or more" : behind.ToString("N0", CultureInfo.InvariantCulture))} events behind, {json.GetProperty("deadLetters").GetInt64()} dead letters");
        var parked = json.GetProperty("parked").EnumerateArray().ToList();
        if (parked.Count > 0)
        {
            var table = new Table().AddColumns("id", "reactor", "event", "stream", "position", "attempts", "parked at", "error");
            foreach (var p in parked)
                table.AddRow(p.GetProperty("id").ToString(), p.GetProperty("reactor").GetString()!, p.GetProperty("eventType").GetString()!,
                    p.GetProperty("streamId").GetString()!, p.GetProperty("position").ToString(), p.GetProperty("attempts").ToString(),
                    p.GetProperty("parkedAt").GetString()!, Markup.Escape(p.GetProperty("error").GetString()!));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine("Retry one with [green]ledger reactions retry <id>[/].");
        }
        return parked.Count > 0 || json.GetProperty("deadLetters").GetInt64() > 0 ? 3 : 0;
    }
}
