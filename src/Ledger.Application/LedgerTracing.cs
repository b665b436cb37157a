using System.Diagnostics;

namespace Ledger.Application;

/// <summary>
/// The ledger's own spans (ADR/0025): a command, each append it makes, each reaction to an event. A reaction's span is a
/// child of the span that appended its event (the event carries its <c>traceparent</c>), so one trace runs from the HTTP
/// request through the command and the reaction to the billing call the reaction sends.
/// </summary>
public static class LedgerTracing
{
    public const string SourceName = "Ledger";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>The current span as a W3C traceparent, to store with what it appends; null when nothing is traced.</summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>The span context a stored traceparent names, or none when it is absent or not W3C.</summary>
    public static ActivityContext ParentFrom(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, out var context) ? context : default;
}
