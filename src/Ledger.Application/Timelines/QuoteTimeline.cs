using System.Text.Json;
using Ledger.Domain.Approvals;
using Ledger.Domain.Billing;
using Ledger.Domain.Catalog;
using Ledger.Domain.Contracts;
using Ledger.Domain.Orders;
using Ledger.Domain.Quotes;
using Ledger.Domain.Reconciliation;
using Ledger.EventStore;
using Ledger.EventStore.Verification;
using NodaTime;
using Ledger.Domain.Common;

namespace Ledger.Application.Timelines;

/// <summary>One event on a quote's timeline, with everything an auditor asks: what, where, when, who, from where, why.</summary>
/// <param name="Unreadable">Why the ledger cannot read this event (another tool wrote it, or its row was edited), or null.</param>
/// <param name="Authority">
/// For an approval grant, the authority it was granted on as the ledger reads it (ADR/0023): <c>own authority</c>, or
/// <c>delegated by carla.cfo (Cfo, 2026-03-04 to 2026-03-10)</c>; a v1 grant, stored without it, reads as own. Null otherwise.
/// </param>
public sealed record TimelineEntry(
    ulong Position, string StreamId, long Revision, string Type, Instant RecordedAt, string Actor, string SourceSystem,
    string CorrelationId, string CausationId, Guid EventId, string Hash, JsonElement Data, string? Unreadable, string? Authority = null);

/// <summary>The quote's state at an instant, folded by the domain's own <see cref="QuoteDecider.Evolve"/>.</summary>
/// <param name="EventsUnreadable">Events of the quote stream left out of the fold because the ledger cannot read them.</param>
public sealed record QuoteStateAt(
    string Status, int Revision, string? Currency, decimal? NetTotal, int Lines, string? Fingerprint, string? OrderId, long EventsFolded,
    long EventsUnreadable);

/// <summary>The catalog and pricing-policy versions the quote was priced under (its lines' catalog versions, its prices' policy).</summary>
public sealed record PricedUnder(IReadOnlyList<string> CatalogVersions, IReadOnlyList<string> PolicyVersions);

/// <param name="Streams">Every stream the entries come from; the catalog and pricing-policy streams contribute only the versions the quote was priced under.</param>
public sealed record TimelinePage(
    string QuoteId, Instant? AsOf, IReadOnlyList<string> Streams, IReadOnlyList<TimelineEntry> Entries, int Total, ulong? NextAfter,
    QuoteStateAt State, PricedUnder PricedUnder);

/// <summary>
/// Reads a quote's history from the system of record through the event store port, never from a projection: the
/// quote stream, the approval stream of each revision, its order, its billing handoff and its contract, the billing records
/// reported for them, finance's clearing of its discrepancies, and the catalog and policy versions it was priced under,
/// merged in the order they were recorded (global position).
/// </summary>
public sealed class QuoteTimeline(IEventStore store, EventSerializer serializer, RelatedStreams related)
{
    public async Task<TimelinePage?> ReadAsync(QuoteId quoteId, Instant? asOf, ulong after, int limit, CancellationToken ct)
    {
        var quoteEvents = await ReadStreamAsync(QuoteDecider.StreamId(quoteId), ct);
        if (quoteEvents.Count == 0) return null;

        var streams = await StreamsOfAsync(quoteId, quoteEvents, ct);
        var all = new List<Read>(quoteEvents);
        foreach (var stream in streams.Skip(1)) all.AddRange(await ReadStreamAsync(stream, ct));
        var (pricedUnder, references) = await PricedUnderAsync(quoteEvents, ct);
        foreach (var reference in references) all.AddRange(reference.InForce);

        var visible = all.Where(e => asOf is null || e.Recorded.Metadata.RecordedAt <= asOf).OrderBy(e => e.Recorded.Position).ToList();
        var page = visible.Where(e => e.Recorded.Position.Value > after).Take(limit).ToList();
        var next = page.Count == limit && visible[^1].Recorded.Position.Value > page[^1].Recorded.Position.Value ? page[^1].Recorded.Position.Value : (ulong?)null;

        return new TimelinePage(quoteId, asOf, [.. streams, .. references.Select(r => r.StreamId)], page.Select(ToEntry).ToList(), visible.Count, next,
            StateAt(visible.Where(e => e.Recorded.StreamId == QuoteDecider.StreamId(quoteId))), pricedUnder);
    }

    /// <summary>
    /// Every event that one command caused across the quote's streams, directly or through reactions: a reaction's events
    /// name the event they follow as their cause (ADR/0017), so the walk takes in whatever an included event caused.
    /// </summary>
    public async Task<IReadOnlyList<TimelineEntry>> CausedByAsync(QuoteId quoteId, string causationId, CancellationToken ct)
    {
        var causes = new HashSet<string>(StringComparer.Ordinal) { causationId };
        var caused = new List<TimelineEntry>();
        // In recorded order a cause always comes before what it caused, so one pass finds the whole chain.
        foreach (var entry in (await ReadAsync(quoteId, null, 0, int.MaxValue, ct))?.Entries ?? [])
        {
            if (!causes.Contains(entry.CausationId)) continue;
            caused.Add(entry);
            causes.Add(entry.EventId.ToString());
        }
        return caused;
    }

    /// <summary>Recomputes the hash chain of each of the quote's streams; the first broken link of each is reported.</summary>
    public async Task<IReadOnlyList<ChainReport>?> VerifyAsync(QuoteId quoteId, CancellationToken ct)
    {
        var quoteEvents = await ReadStreamAsync(QuoteDecider.StreamId(quoteId), ct);
        if (quoteEvents.Count == 0) return null;
        var verifier = new ChainVerifier(store);
        var reports = new List<ChainReport>();
        foreach (var stream in await StreamsOfAsync(quoteId, quoteEvents, ct))
            reports.Add(await verifier.VerifyStreamAsync(stream, ct));
        // The catalog and policy are checked up to the versions the quote was priced under: a later version is not its evidence.
        // A version that cannot be found there (removed, or edited past reading) has the whole stream checked, which shows why.
        foreach (var reference in (await PricedUnderAsync(quoteEvents, ct)).References)
            reports.Add(reference.VerifyThrough is { } through
                ? await verifier.VerifyStreamThroughAsync(reference.StreamId, through, ct)
                : await verifier.VerifyStreamAsync(reference.StreamId, ct));
        return reports;
    }

    /// <summary>
    /// The quote's streams, found from the quote's own events: approvals per revision, the order and its billing, the
    /// contract a billed subscription started (its amendments, renewals and end, ADR/0021), and what its CRM reported it shows.
    /// </summary>
    private async Task<IReadOnlyList<string>> StreamsOfAsync(QuoteId quoteId, IReadOnlyList<Read> quoteEvents, CancellationToken ct)
    {
        var events = quoteEvents.Select(e => e.Event).OfType<object>().ToList();
        var revisions = events.OfType<QuoteSubmittedForApproval>().Where(s => s.RequiredLevels.Count > 0).Select(s => s.Revision).Distinct();
        var streams = new List<string> { QuoteDecider.StreamId(quoteId) };
        streams.AddRange(revisions.Select(r => ApprovalDecider.StreamId(quoteId, r)));
        var orderId = OrderDecider.OrderIdFor(quoteId);
        var reported = events.OfType<QuoteDrafted>().Select(d => ReportedFactDecider.CrmQuoteStreamId(d.SourceCrm, quoteId));
        var contract = ContractDecider.StreamId(ContractDecider.ContractIdFor(quoteId));
        foreach (var stream in new[] { OrderDecider.StreamId(orderId), BillingDecider.StreamId(orderId), contract }.Concat(reported))
            if (await store.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 1, ct) is ReadStreamResult.Found)
                streams.Add(stream);
        var billedUnder = new List<string> { orderId };
        var subjects = new List<string> { quoteId };
        if (streams.Contains(contract))
        {
            var contractId = ContractDecider.ContractIdFor(quoteId);
            var (contractStreams, handoffs) = await ContractStreamsAsync(contractId, ct);
            streams.AddRange(contractStreams);
            billedUnder.AddRange(handoffs);
            subjects.Add(contractId);
        }
        // What billing and finance recorded about it: records reported under its order or its contract's changes, and the
        // clearing of discrepancies about the quote or its contract.
        streams.AddRange(await related.BillingRecordsOfAsync(billedUnder, ct));
        streams.AddRange(await related.DiscrepancyClearingsAboutAsync(subjects, ct));
        return streams.Distinct().ToList();
    }

    /// <summary>A stream the quote relies on but does not own: only its events in force when the quote was priced are the quote's evidence.</summary>
    /// <param name="VerifyThrough">The newest revision among them; null when a version the quote names is not there (then the whole stream is checked).</param>
    private sealed record ReferenceStream(string StreamId, IReadOnlyList<Read> InForce, long? VerifyThrough);

    /// <summary>
    /// The catalog versions of the quote's lines and the policy versions of its prices, and the events that published them:
    /// what was in force when it was priced (a version is published once and never changed, ADR/0008).
    /// </summary>
    private async Task<(PricedUnder PricedUnder, IReadOnlyList<ReferenceStream> References)> PricedUnderAsync(IReadOnlyList<Read> quoteEvents, CancellationToken ct)
    {
        var events = quoteEvents.Select(e => e.Event).ToList();
        var catalogVersions = events.OfType<QuoteLineAdded>().Select(a => a.Line.CatalogVersion)
            .Concat(events.OfType<QuotePriced>().SelectMany(p => p.Snapshot.Lines.Select(l => l.CatalogVersion)))
            .Distinct().Order(StringComparer.Ordinal).ToList();
        var policyVersions = events.OfType<QuotePriced>().Select(p => p.Snapshot.PolicyVersion).Distinct().Order(StringComparer.Ordinal).ToList();

        var references = new List<ReferenceStream>();
        if (catalogVersions.Count > 0)
            references.Add(await ReferenceAsync(CatalogDecider.StreamId, catalogVersions, e => (e as CatalogVersionPublished)?.Version, ct));
        if (policyVersions.Count > 0)
            references.Add(await ReferenceAsync(PricingPolicyDecider.StreamId, policyVersions, e => (e as PricingPolicyPublished)?.Version, ct));
        return (new PricedUnder(catalogVersions, policyVersions), references);
    }

    private async Task<ReferenceStream> ReferenceAsync(string streamId, IReadOnlyList<string> versions, Func<object?, string?> versionOf, CancellationToken ct)
    {
        var inForce = (await ReadStreamAsync(streamId, ct)).Where(e => versionOf(e.Event) is { } v && versions.Contains(v)).ToList();
        var allFound = versions.All(v => inForce.Any(e => versionOf(e.Event) == v));
        return new ReferenceStream(streamId, inForce, allFound ? inForce.Max(e => e.Recorded.Revision) : null);
    }

    /// <summary>
    /// What a contract's own events lead to (ADR/0021): each change's billing handoff, each proposed amendment's approval,
    /// each renewal quote and each amendment quote with its order — so the contract's whole history (original quote, amendments, renewals, billing) is one timeline.
    /// </summary>
    /// <returns>The streams, and the billing handoff id of each change billed (what billing reports its records under).</returns>
    private async Task<(IReadOnlyList<string> Streams, IReadOnlyList<string> Handoffs)> ContractStreamsAsync(ContractId contractId, CancellationToken ct)
    {
        var candidates = new List<string>();
        var handoffs = new List<string>();
        var version = 0;
        foreach (var e in (await ReadStreamAsync(ContractDecider.StreamId(contractId), ct)).Select(r => r.Event).OfType<ContractEvent>())
        {
            version = e switch
            {
                ContractStarted s => s.Version, ContractAmended a => a.Version, ContractAmendedByQuote byQuoteAmendment => byQuoteAmendment.Version, ContractRenewed r => r.Version,
                ContractRenewedByQuote b => b.Version,
                ContractExpired x => x.Version, ContractCancelled c => c.Version, _ => version,
            };
            if (ContractDecider.BillableOf(e) is not null)
            {
                handoffs.Add(ContractDecider.BillingHandoffIdFor(contractId, version));
                candidates.Add(BillingDecider.StreamId(handoffs[^1]));
            }
            if (e is ContractAmendmentProposed p) candidates.Add(ApprovalDecider.StreamId(contractId, p.Fingerprint.Revision));
            if (e is ContractRenewalQuoted q) candidates.Add(QuoteDecider.StreamId(q.RenewalQuoteId));
            // An amendment quote is a quote of its own; its order amended the contract (its delta is billed as the change above).
            if (e is ContractAmendmentQuoted aq) candidates.Add(QuoteDecider.StreamId(aq.QuoteId));
            if (e is ContractAmendedByQuote byAmendment) candidates.Add(OrderDecider.StreamId(byAmendment.OrderId));
            // A renewal by quote was billed with the renewal quote's order: its order and billing streams are the renewal's billing.
            if (e is ContractRenewedByQuote byQuote) candidates.AddRange([OrderDecider.StreamId(byQuote.OrderId), BillingDecider.StreamId(byQuote.OrderId)]);
        }
        var found = new List<string>();
        foreach (var stream in candidates.Distinct())
            if (await store.ReadStreamAsync(stream, ReadDirection.Forwards, StreamRevision.Start, 1, ct) is ReadStreamResult.Found)
                found.Add(stream);
        return (found, handoffs);
    }

    /// <summary>The quote a contract was started from; null when the contract has no events.</summary>
    public async Task<string?> QuoteOfContractAsync(ContractId contractId, CancellationToken ct) =>
        (await ReadStreamAsync(ContractDecider.StreamId(contractId), ct)).Select(r => r.Event).OfType<ContractStarted>().FirstOrDefault()?.QuoteId;

    private static QuoteStateAt StateAt(IEnumerable<Read> quoteEvents)
    {
        var state = QuoteDecider.Initial;
        long folded = 0, unreadable = 0;
        foreach (var e in quoteEvents)
        {
            // What the ledger cannot read is shown on the timeline and reported by verify, and left out of the state.
            if (e.Event is QuoteEvent quoteEvent)
            {
                state = QuoteDecider.Evolve(state, quoteEvent);
                folded++;
            }
            else unreadable++;
        }
        return new QuoteStateAt(state.Status.ToString(), state.Revision, state.Draft?.Currency, state.Pricing?.NetTotal, state.Lines.Count,
            state.CurrentFingerprint?.ToString(), state.OrderId, folded, unreadable);
    }

    /// <summary>An event as stored, read once: the ledger's event, or why it cannot be read (its envelope's defect too).</summary>
    private sealed record Read(RecordedEvent Recorded, object? Event, string? Unreadable);

    private async Task<List<Read>> ReadStreamAsync(string streamId, CancellationToken ct) =>
        (await store.ReadWholeStreamListAsync(streamId, ct)).Select(e =>
        {
            var readable = serializer.TryRead(e, out var @event, out var reason);
            return new Read(e, @event, readable ? e.Defect : e.Defect is null ? reason : $"{e.Defect}; {reason}");
        }).ToList();

    private static TimelineEntry ToEntry(Read read)
    {
        var e = read.Recorded;
        return new TimelineEntry(e.Position.Value, e.StreamId, e.Revision, e.Type, e.Metadata.RecordedAt, e.Metadata.Actor, e.Metadata.SourceSystem,
            e.Metadata.CorrelationId, e.Metadata.CausationId, e.EventId, e.Hash, DataOf(e), read.Unreadable,
            (read.Event as ApprovalLevelGranted)?.Authority?.ToString());
    }

    /// <summary>The event's data as JSON; data that is not JSON (another tool's) as a string of its bytes in base64.</summary>
    private static JsonElement DataOf(RecordedEvent e)
    {
        try
        {
            return JsonDocument.Parse(e.Data).RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(Convert.ToBase64String(e.Data.Span));
        }
    }
}
