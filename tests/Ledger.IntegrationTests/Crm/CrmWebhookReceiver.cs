using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ledger.IntegrationTests.Crm;

/// <summary>A delivery the receiver accepted (answered 2xx): what a CRM would act on.</summary>
/// <param name="TraceParent">The W3C <c>traceparent</c> header the delivery came with, if any.</param>
public sealed record ReceivedChange(Guid DeliveryId, int Attempt, Guid ChangeId, long Position, string QuoteId, string Type, string Body, JsonElement Change,
    string? TraceParent = null);

/// <summary>
/// A CRM's webhook endpoint, as an integrator would write one, on a real Kestrel listener: it checks the
/// <c>Ledger-Signature</c> with its own HMAC code (not the ledger's), refuses a timestamp older than its tolerance and a
/// delivery id it has seen, and records what it accepted, in arrival order. <see cref="Answer"/> lets a test make it fail.
/// </summary>
public sealed class CrmWebhookReceiver : IAsyncDisposable
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<Guid, bool> _deliveryIds = new();
    private readonly List<ReceivedChange> _accepted = [];
    private readonly List<(Guid ChangeId, string QuoteId, int Status)> _attempts = [];
    private readonly Lock _lock = new();
    private int _badSignatures;
    private int _stale;
    private int _replays;

    private CrmWebhookReceiver(WebApplication app, Uri url, string secret)
    {
        _app = app;
        Url = url;
        Secret = secret;
    }

    public Uri Url { get; }

    /// <summary>The secret this CRM verifies with (a test may set a wrong one).</summary>
    public string Secret { get; set; }

    /// <summary>Chooses the status for a verified delivery (its change and how many attempts of that change came before); null: 200.</summary>
    public Func<ReceivedChange, int, int?> Answer { get; set; } = (_, _) => null;

    public IReadOnlyList<ReceivedChange> Accepted { get { lock (_lock) return _accepted.ToList(); } }

    /// <summary>Every verified delivery and the status it got, in arrival order.</summary>
    public IReadOnlyList<(Guid ChangeId, string QuoteId, int Status)> Attempts { get { lock (_lock) return _attempts.ToList(); } }

    public int BadSignatures => Volatile.Read(ref _badSignatures);
    public int Stale => Volatile.Read(ref _stale);
    public int Replays => Volatile.Read(ref _replays);

    /// <summary>Accepted deliveries of a change already accepted (at least once means this may happen; a CRM must absorb it).</summary>
    public int Duplicates { get { lock (_lock) return _accepted.Count - _accepted.Select(a => a.ChangeId).Distinct().Count(); } }

    public static async Task<CrmWebhookReceiver> StartAsync(string secret)
    {
        var url = new Uri($"http://127.0.0.1:{RunningLedger.FreePort()}/ledger-hooks");
        var builder = WebApplication.CreateSlimBuilder(["--urls", $"{url.Scheme}://{url.Authority}"]);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new CrmWebhookReceiver(app, url, secret);
        app.MapPost(url.AbsolutePath, receiver.ReceiveAsync);
        await app.StartAsync();
        return receiver;
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        using var read = new MemoryStream();
        await request.Body.CopyToAsync(read);
        var body = read.ToArray();
        switch (Verify(request.Headers["Ledger-Signature"].ToString(), body, Secret, DateTimeOffset.UtcNow))
        {
            case Verdict.BadSignature:
                Interlocked.Increment(ref _badSignatures);
                return Results.Unauthorized();
            case Verdict.Stale:
                Interlocked.Increment(ref _stale);
                return Results.BadRequest("stale timestamp");
        }
        var json = JsonDocument.Parse(body).RootElement.Clone();
        var deliveryId = json.GetProperty("deliveryId").GetGuid();
        if (request.Headers["Ledger-Delivery-Id"].ToString() != deliveryId.ToString() || !_deliveryIds.TryAdd(deliveryId, true))
        {
            Interlocked.Increment(ref _replays);
            return Results.Conflict("delivery replayed");
        }
        var change = json.GetProperty("change");
        var received = new ReceivedChange(deliveryId, json.GetProperty("attempt").GetInt32(), change.GetProperty("changeId").GetGuid(),
            change.GetProperty("position").GetInt64(), change.GetProperty("quoteId").GetString()!, change.GetProperty("type").GetString()!,
            Encoding.UTF8.GetString(body), change, request.Headers["traceparent"] is { Count: > 0 } traceParent ? traceParent.ToString() : null);
        lock (_lock)
        {
            var before = _attempts.Count(a => a.ChangeId == received.ChangeId);
            var status = Answer(received, before) ?? 200;
            _attempts.Add((received.ChangeId, received.QuoteId, status));
            if (status is >= 200 and < 300) _accepted.Add(received);
            return Results.StatusCode(status);
        }
    }

    public enum Verdict { Valid, BadSignature, Stale }

    /// <summary>Stripe's scheme, written out here independently: <c>t=..,v1=..</c>, HMAC-SHA256 over <c>"{t}.{body}"</c>, fixed-time compare.</summary>
    public static Verdict Verify(string header, byte[] body, string secret, DateTimeOffset now)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToLookup(p => p[0], p => p[1]);
        if (!long.TryParse(parts["t"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var t)) return Verdict.BadSignature;
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var expected = hmac.ComputeHash([.. Encoding.UTF8.GetBytes(t.ToString(CultureInfo.InvariantCulture) + "."), .. body]);
        var valid = parts["v1"].Any(v => v.Length == expected.Length * 2 && v.All(Uri.IsHexDigit) && CryptographicOperations.FixedTimeEquals(Convert.FromHexString(v), expected));
        if (!valid) return Verdict.BadSignature;
        return now - DateTimeOffset.FromUnixTimeSeconds(t) > Tolerance ? Verdict.Stale : Verdict.Valid;
    }

    /// <summary>Posts a request to this receiver as given (a captured delivery replayed, or a forged one).</summary>
    public async Task<int> PostAsync(string body, string signature, string deliveryId)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Ledger-Signature", signature);
        request.Headers.Add("Ledger-Delivery-Id", deliveryId);
        return (int)(await http.SendAsync(request)).StatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
