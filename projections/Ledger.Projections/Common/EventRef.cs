using JasperFx.Events;
using Ledger.EventStore.Marten;
using NodaTime;
using NodaTime.Text;

namespace Ledger.Projections.Common;

/// <summary>
/// Which event a value in a view comes from: its stream, its position in the ledger's event log (Marten's sequence),
/// its id and type, and the instant the ledger recorded it. Views carry these so a reader can tell what a value
/// reflects, and so a finding can name the events that prove it.
/// </summary>
public sealed record EventRef(string Stream, long Position, Guid EventId, string Type, Instant At)
{
    public static EventRef Of(IEvent e) => new(e.StreamKey ?? e.StreamId.ToString(), e.Sequence, e.Id, e.EventTypeName, RecordedAt(e));

    /// <summary>
    /// The port's recorded-at header (the ledger's clock at append); Marten's own timestamp only for rows written
    /// without it. Marten reads header values back as whatever JSON type they look like: an ISO instant comes back as a DateTime.
    /// </summary>
    private static Instant RecordedAt(IEvent e) => e.GetHeader(MartenBackend.Headers.RecordedAt) switch
    {
        DateTime d => Instant.FromDateTimeUtc(d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        DateTimeOffset o => Instant.FromDateTimeOffset(o),
        { } other when InstantPattern.ExtendedIso.Parse(other.ToString()!) is { Success: true } parsed => parsed.Value,
        _ => Instant.FromDateTimeOffset(e.Timestamp),
    };
}

/// <summary>A derived value with the event it reflects.</summary>
public sealed record Sourced<T>(T Value, EventRef Source);

public static class Sourced
{
    public static Sourced<T> From<T>(T value, IEvent e) => new(value, EventRef.Of(e));
}

/// <summary>An amount in one currency, as views and findings show it.</summary>
public sealed record Amount(decimal Value, string Currency)
{
    public override string ToString() => FormattableString.Invariant($"{Value} {Currency}");
}
