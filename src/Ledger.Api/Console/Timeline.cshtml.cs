using Ledger.Api.Security;
using Ledger.Application.Timelines;
using Ledger.EventStore.Verification;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Ledger.Domain.Common;

namespace Ledger.Api.Console;

/// <summary>
/// An auditor's view of one quote, read from the system of record by the API's own timeline service: every event of its streams,
/// the state as of the instant the slider picks (one stop per recorded event), the hash chains verified, and what one command caused.
/// </summary>
[Authorize(AuthenticationSchemes = ConsoleAuthentication.SchemeName, Roles = LedgerRoles.Auditor)]
public sealed class TimelineModel(QuoteTimeline timeline) : ConsolePage
{
    private const int MaxEvents = 1000;

    [BindProperty(SupportsGet = true)] public string? QuoteId { get; set; }
    /// <summary>The slider: as of the n-th recorded event (0-based); the latest when absent.</summary>
    [BindProperty(SupportsGet = true)] public int? At { get; set; }
    /// <summary>A causation id: list everything that command caused.</summary>
    [BindProperty(SupportsGet = true)] public string? Caused { get; set; }

    public bool Missing { get; private set; }
    /// <summary>Every event, whatever the slider says: its stops.</summary>
    public TimelinePage? Whole { get; private set; }
    /// <summary>The timeline as of the slider's instant, with the state folded up to it.</summary>
    public TimelinePage? AsOf { get; private set; }
    public int Stop { get; private set; }
    public Instant? Instant { get; private set; }
    public IReadOnlyList<ChainReport> Chains { get; private set; } = [];
    public IReadOnlyList<TimelineEntry> CausedEntries { get; private set; } = [];

    public BrokenLink? FirstBreak => Chains.Select(c => c.FirstBrokenLink).FirstOrDefault(b => b is not null);

    public async Task OnGetAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(QuoteId)) return;
        QuoteId = QuoteId.Trim();
        Whole = await timeline.ReadAsync(new QuoteId(QuoteId), null, 0, MaxEvents, ct);
        if (Whole is null || Whole.Entries.Count == 0)
        {
            Missing = true;
            Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        Stop = Math.Clamp(At ?? Whole.Entries.Count - 1, 0, Whole.Entries.Count - 1);
        Instant = Whole.Entries[Stop].RecordedAt;
        AsOf = Stop == Whole.Entries.Count - 1 ? Whole : await timeline.ReadAsync(new QuoteId(QuoteId), Instant, 0, MaxEvents, ct);
        Chains = await timeline.VerifyAsync(new QuoteId(QuoteId), ct) ?? [];
        if (Caused is { Length: > 0 }) CausedEntries = await timeline.CausedByAsync(new QuoteId(QuoteId), Caused, ct);
    }

    /// <summary>Whether an event is the one a chain breaks at (or, for a missing tail, the stream's last one).</summary>
    public bool IsBreak(TimelineEntry entry) => Chains.Any(c => c.FirstBrokenLink is { } b && b.StreamId == entry.StreamId && b.Revision == entry.Revision);
}
