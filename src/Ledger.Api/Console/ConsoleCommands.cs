using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ledger.Api.Idempotency;
using Ledger.Api.Security;
using Ledger.EventStore.Writing;
using Ledger.Projections;
using Marten;

namespace Ledger.Api.Console;

/// <summary>What a console action came to: the command endpoint's own answer, in words a person reads.</summary>
/// <param name="Position">The global position of the last event the command appended, when it appended any.</param>
public sealed record ConsoleOutcome(bool Succeeded, int Status, string Message, string? Field, ulong? Position);

/// <summary>
/// Runs a console form through the HTTP API's own command endpoint method (ADR/0019): the same command, the same CRM scope and
/// business checks, the same idempotent answer store and event metadata (the signed-in client is the actor). The form carries
/// the idempotency key it was rendered with, so a double submit is answered once.
/// </summary>
public static class ConsoleCommands
{
    /// <summary>The hidden form field holding the command's idempotency key.</summary>
    public const string KeyField = "commandKey";

    public static string NewKey() => Guid.NewGuid().ToString("N");

    /// <param name="request">What was asked, in a stable form: it tells a retry of the same form from a reused key.</param>
    public static async Task<ConsoleOutcome> RunAsync(HttpContext context, string? formKey, string request, Func<Task<IResult>> endpoint)
    {
        var key = formKey is { Length: > 0 and <= 100 } k && k.All(char.IsAsciiLetterOrDigit) ? k : NewKey();
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("console " + request)));
        context.Features.Set(new IdempotentRequest(new AnswerKey(context.User.ClientName(), key), hash));

        var result = await endpoint();
        var buffer = new DefaultHttpContext { RequestServices = context.RequestServices };
        using var body = new MemoryStream();
        buffer.Response.Body = body;
        await result.ExecuteAsync(buffer);
        var status = buffer.Response.StatusCode;
        var json = body.Length > 0 && buffer.Response.ContentType?.Contains("json") == true ? JsonDocument.Parse(body.ToArray()).RootElement : default;
        if (status is >= 200 and < 300)
        {
            ulong? position = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("position", out var p) && p.TryGetUInt64(out var at) && at > 0 ? at : null;
            var events = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("events", out var e) && e.ValueKind == JsonValueKind.Array
                ? e.EnumerateArray().Select(x => x.GetString()).ToList() : [];
            var message = events.Count > 0 ? $"Recorded: {string.Join(", ", events)}." : "Done; nothing new to record (it already was).";
            return new ConsoleOutcome(true, status, message, null, position);
        }
        var detail = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("detail", out var d) ? d.GetString() : null;
        var field = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("field", out var f) ? f.GetString() : null;
        return new ConsoleOutcome(false, status, detail ?? $"Refused ({status}).", field, null);
    }

    /// <summary>
    /// Waits (a few seconds at most) until every projection has applied the command's events, so the page the person returns to
    /// shows what they just did. The read side stays eventually consistent; this only spares a person a stale list.
    /// </summary>
    public static async Task ReadYourWriteAsync(IDocumentStore store, ConsoleOutcome outcome, CancellationToken ct)
    {
        if (outcome.Position is not { } position) return;
        var until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until)
        {
            var lag = await ProjectionLag.ReadAsync(store, ct);
            if (lag.All(l => l.Position >= (long)position)) return;
            await Task.Delay(100, ct);
        }
    }
}
