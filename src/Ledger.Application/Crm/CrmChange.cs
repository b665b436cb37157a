using System.Text;
using System.Text.Json;
using Ledger.EventStore;
using NodaTime.Text;
using Ledger.Domain.Common;

namespace Ledger.Application.Crm;

/// <summary>
/// The change document a CRM receives, pushed (webhook) or pulled (<c>GET /crm/{crm}/changes</c>): one ledger event about
/// one of its quotes, under the ledger's versioned event name, with the event's data as stored. Built once, when the
/// change is recorded, and served as stored, so both ways carry the same bytes.
/// </summary>
public static class CrmChange
{
    public static string Document(RecordedEvent recorded, QuoteOwner owner)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("changeId", recorded.EventId);
            json.WriteNumber("position", (long)recorded.Position.Value);
            json.WriteString("crm", owner.Crm);
            json.WriteString("quoteId", owner.QuoteId);
            json.WriteString("type", recorded.Type);
            json.WriteString("stream", recorded.StreamId);
            json.WriteNumber("streamRevision", recorded.Revision);
            json.WriteString("recordedAt", InstantPattern.ExtendedIso.Format(recorded.Metadata.RecordedAt));
            json.WriteString("correlationId", recorded.Metadata.CorrelationId);
            json.WritePropertyName("data");
            json.WriteRawValue(recorded.Data.Span);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
