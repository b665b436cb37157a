using Ledger.Application.Reactions;
using System.Globalization;
using System.Text.Json;
using Ledger.Api;
using Ledger.Application;
using Ledger.Application.Timelines;
using Ledger.EventStore;
using Ledger.Api.EventStore;
using Ledger.EventStore.Marten;
using Ledger.EventStore.Anchoring;
using Ledger.EventStore.Verification;
using Npgsql;
using NodaTime.Serialization.SystemTextJson;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;
using Ledger.Domain.Common;

namespace Ledger.Cli;

/// <summary><c>ledger timeline</c> and <c>ledger verify</c>: the auditor's view at a terminal, read from the system of record.</summary>
public static class AuditCommands
{
    public static async Task<int> TimelineAsync(string[] args)
    {
        if (args.FirstOrDefault(a => !a.StartsWith("--")) is not { } quoteId)
            throw new InvalidOperationException("usage: ledger timeline <quote-id> [--as-of <instant>] [--format table|json|csv]");
        var format = Option(args, "--format") ?? "table";
        Instant? asOf = Option(args, "--as-of") is { } text
            ? InstantPattern.ExtendedIso.Parse(text) is { Success: true } parsed ? parsed.Value : throw new InvalidOperationException($"--as-of '{text}' is not an ISO instant (e.g. 2026-03-10T14:00:00Z).")
            : null;

        await using var store = await OpenStoreAsync();
        var page = await new QuoteTimeline(store.EventStore, store.Serializer, new RelatedStreams(store.DataSource)).ReadAsync(new QuoteId(quoteId), asOf, 0, int.MaxValue, CancellationToken.None)
                   ?? throw new InvalidOperationException($"Quote {quoteId} has no events.");
        switch (format)
        {
            case "json":
                Console.WriteLine(JsonSerializer.Serialize(page, new JsonSerializerOptions(JsonSerializerOptions.Web) { WriteIndented = true }.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb)));
                break;
            case "csv":
                Console.WriteLine("position,recorded_at,stream,revision,type,actor,source_system,correlation_id,causation_id,event_id");
                foreach (var e in page.Entries)
                    Console.WriteLine(string.Join(',', new[] { e.Position.ToString(CultureInfo.InvariantCulture), InstantPattern.ExtendedIso.Format(e.RecordedAt), e.StreamId,
                        e.Revision.ToString(CultureInfo.InvariantCulture), e.Type, e.Actor, e.SourceSystem, e.CorrelationId, e.CausationId, e.EventId.ToString() }.Select(Csv)));
                break;
            case "table":
                var table = new Table().AddColumns("pos", "recorded at", "stream @ rev", "event", "actor", "source", "correlation");
                foreach (var e in page.Entries)
                    table.AddRow(e.Position.ToString(), InstantPattern.ExtendedIso.Format(e.RecordedAt), $"{e.StreamId} @ {e.Revision}",
                        Markup.Escape(e.Authority is { } authority ? $"{e.Type} on {authority}" : e.Type), e.Actor, e.SourceSystem, e.CorrelationId);
                AnsiConsole.Write(table);
                AnsiConsole.MarkupLineInterpolated($"As of {(asOf is { } a ? InstantPattern.ExtendedIso.Format(a) : "now")}: [bold]{page.State.Status}[/], revision {page.State.Revision}, {page.State.Lines} line(s), net {page.State.NetTotal?.ToString() ?? "-"} {page.State.Currency}, order {page.State.OrderId ?? "-"}");
                break;
            default:
                throw new InvalidOperationException($"--format is table, json or csv, not '{format}'.");
        }
        return 0;
    }

    /// <summary>
    /// Exit code 0 when every chain is intact (and, with <c>--anchors</c>, every anchored head still holds), 2 when a link is
    /// broken or an anchored head is gone or changed.
    /// </summary>
    public static async Task<int> VerifyAsync(string[] args)
    {
        await using var store = await OpenStoreAsync();
        IReadOnlyList<ChainReport> reports;
        if (args.Contains("--all"))
            reports = await new ChainVerifier(store.EventStore).VerifyAllAsync();
        else if (args.FirstOrDefault(a => !a.StartsWith("--") && !IsOptionValue(args, a)) is { } quoteId)
            reports = await new QuoteTimeline(store.EventStore, store.Serializer, new RelatedStreams(store.DataSource)).VerifyAsync(new QuoteId(quoteId), CancellationToken.None)
                      ?? throw new InvalidOperationException($"Quote {quoteId} has no events.");
        else
            throw new InvalidOperationException("usage: ledger verify <quote-id> | ledger verify --all [--anchors DIR]");

        var broken = reports.Where(r => !r.Intact).ToList();
        foreach (var r in broken)
            AnsiConsole.MarkupLineInterpolated($"[red]{r.StreamId}: {r.FirstBrokenLink!.Kind} at revision {r.FirstBrokenLink.Revision}: {r.FirstBrokenLink.Detail}[/]");
        var verdict = broken.Count == 0 ? "[green]intact[/]" : $"[red]{broken.Count} broken[/]";
        AnsiConsole.MarkupLine($"{reports.Count} stream(s), {reports.Sum(r => r.EventsChecked)} event(s) checked: {verdict}");

        var anchorFindings = 0;
        if (Option(args, "--anchors") is { } directory)
        {
            IReadOnlySet<string>? trusted = Option(args, "--trust") is { } ids
                ? ids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
                : null;
            var anchors = await new AnchorVerifier(store.EventStore).VerifyAsync(new AnchorLog(directory), trusted);
            foreach (var f in anchors.Findings)
                AnsiConsole.MarkupLineInterpolated($"[red]{f.Subject}: {f.Kind}: {f.Detail}[/]");
            var anchorVerdict = anchors.Intact ? "[green]every anchored head holds[/]" : $"[red]{anchors.Findings.Count} finding(s)[/]";
            AnsiConsole.MarkupLine($"Anchors: {anchorVerdict} ({anchors.AnchorsChecked} anchor(s) up to #{anchors.LatestSequence?.ToString() ?? "-"}, " +
                                   $"{anchors.HeadsChecked} head(s), signed by {Markup.Escape(string.Join(", ", anchors.KeyIds))})");
            anchorFindings = anchors.Findings.Count;
        }
        return broken.Count == 0 && anchorFindings == 0 ? 0 : 2;
    }

    /// <summary>
    /// <c>ledger anchor</c>: signs every stream's head now and writes the next anchor file (ADR/0025). The local key is made
    /// on first use; a deployment names its own with <c>--key</c>.
    /// </summary>
    public static async Task<int> AnchorAsync(string[] args)
    {
        var directory = Option(args, "--dir") ?? LocalLedger.AnchorDirectory;
        var keyFile = Option(args, "--key") ?? LocalLedger.AnchorKeyFile;
        using var key = Option(args, "--key") is null ? AnchorKey.LoadOrCreate(keyFile) : AnchorKey.Load(keyFile);
        await using var store = await OpenStoreAsync();
        // Reactions commit without waiting for the flush (ADR/0027): a head is signed only once it is on disk.
        await new ReactionStore(store.DataSource).FlushCommittedAsync(CancellationToken.None);
        var written = await new AnchorLog(directory).AppendAsync(store.EventStore, key, SystemClock.Instance.GetCurrentInstant());
        AnsiConsole.MarkupLineInterpolated(
            $"Anchor #{written.Sequence}: {written.Anchor!.StreamCount} stream head(s), Merkle root {written.Anchor.MerkleRoot}, key {key.KeyId}, written to {written.Path}");
        return 0;
    }

    private static bool IsOptionValue(string[] args, string arg) =>
        Array.IndexOf(args, arg) is var i and > 0 && args[i - 1] is "--anchors" or "--trust";

    private static string Csv(string value) => value.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    /// <summary>The event store the local ledger (or <c>LEDGER_POSTGRES</c> / <c>LEDGER_EVENTSTORE</c>) uses.</summary>
    private static async Task<OpenStore> OpenStoreAsync()
    {
        var settings = new LedgerSettings(await LocalLedger.PostgresConnectionStringAsync(),
            Environment.GetEnvironmentVariable(LedgerSettings.EventStoreVariable) is { Length: > 0 } s ? s : "postgres");
        var serializer = new EventSerializer(LedgerEventTypes.Registry());
        var documents = LedgerMarten.CreateStore(settings.PostgresConnectionString, serializer);
        var dataSource = NpgsqlDataSource.Create(settings.PostgresConnectionString);
        var backend = EventStoreRegistration.CreateBackend(settings, documents, dataSource, serializer);
        return new OpenStore(new HashChainingEventStore(backend), serializer, dataSource, async () =>
        {
            (backend as IDisposable)?.Dispose();
            documents.Dispose();
            await dataSource.DisposeAsync();
        });
    }

    private sealed record OpenStore(IEventStore EventStore, EventSerializer Serializer, NpgsqlDataSource DataSource, Func<ValueTask> Close) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Close();
    }
}
