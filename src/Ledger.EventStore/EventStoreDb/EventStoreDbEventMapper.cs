using System.Buffers.Binary;
using System.Text.Json;
using Google.Protobuf;
using Ledger.EventStore.EventStoreDb.Protocol;
using NodaTime;
using NodaTime.Text;

namespace Ledger.EventStore.EventStoreDb;

/// <summary>
/// Maps Ledger's events to EventStoreDB's wire messages and back. The envelope (who, why, when, the
/// hash chain) travels as the event's custom metadata, a JSON object with camelCase keys; the type
/// name is ESDB's <c>type</c>, the data is sent as <c>application/json</c>, the event id is ours.
/// </summary>
internal static class EventStoreDbEventMapper
{
    public const string TypeKey = "type";
    public const string ContentTypeKey = "content-type";
    public const string CreatedKey = "created";
    public const string JsonContentType = "application/json";

    // Keys of the custom metadata object.
    internal const string CorrelationIdKey = "correlationId";
    internal const string CausationIdKey = "causationId";
    internal const string ActorKey = "actor";
    internal const string SourceSystemKey = "sourceSystem";
    internal const string IdempotencyKeyKey = "idempotencyKey";
    internal const string RecordedAtKey = "recordedAt";
    internal const string SchemaVersionKey = "schemaVersion";
    internal const string PreviousHashKey = "previousHash";
    internal const string HashKey = "hash";
    /// <summary>The W3C traceparent of the appending work; telemetry, not part of the hash.</summary>
    internal const string TraceParentKey = "traceParent";
    /// <summary>
    /// A fresh id per append call. ESDB deduplicates by event id only and keeps the first write's metadata,
    /// so the stored events say which call wrote them (an operator's clue; appends do not read it back).
    /// Not part of the hash.
    /// </summary>
    internal const string AppendIdKey = "appendId";

    public static AppendReq.Types.ProposedMessage ToProposedMessage(ChainedEvent chained, Guid appendId)
    {
        var e = chained.Event;
        var message = new AppendReq.Types.ProposedMessage
        {
            Id = ToUuid(e.EventId),
            CustomMetadata = ByteString.CopyFrom(WriteCustomMetadata(e.Metadata, chained.PreviousHash, chained.Hash, appendId)),
            Data = ByteString.CopyFrom(e.Data.Span),
        };
        message.Metadata.Add(TypeKey, e.Type);
        message.Metadata.Add(ContentTypeKey, JsonContentType);
        return message;
    }

    public static byte[] WriteCustomMetadata(EventMetadata metadata, string previousHash, string hash, Guid appendId)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(CorrelationIdKey, metadata.CorrelationId);
            writer.WriteString(CausationIdKey, metadata.CausationId);
            writer.WriteString(ActorKey, metadata.Actor);
            writer.WriteString(SourceSystemKey, metadata.SourceSystem);
            if (metadata.IdempotencyKey is null) writer.WriteNull(IdempotencyKeyKey);
            else writer.WriteString(IdempotencyKeyKey, metadata.IdempotencyKey);
            writer.WriteString(RecordedAtKey, InstantPattern.ExtendedIso.Format(metadata.RecordedAt));
            writer.WriteNumber(SchemaVersionKey, metadata.SchemaVersion);
            writer.WriteString(PreviousHashKey, previousHash);
            writer.WriteString(HashKey, hash);
            writer.WriteString(AppendIdKey, appendId.ToString("D"));
            if (metadata.TraceParent is not null) writer.WriteString(TraceParentKey, metadata.TraceParent);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <param name="Defect">What is wrong with the metadata, when something is (<see cref="RecordedEvent.Defect"/>).</param>
    public sealed record StoredEnvelope(EventMetadata Metadata, string PreviousHash, string Hash, Guid? AppendId, string? Defect);

    /// <summary>
    /// The envelope from an event's custom metadata. An event another client wrote (no metadata, not JSON, fields missing)
    /// is read anyway: the missing parts are empty, <paramref name="created"/> stands in for the time, and the defect says
    /// what is wrong, so readers report it instead of failing on it.
    /// </summary>
    public static StoredEnvelope ReadCustomMetadata(ReadOnlySpan<byte> json, Instant? created = null)
    {
        var fallback = new EventMetadata("", "", "", "", null, created ?? default);
        if (json.IsEmpty) return new StoredEnvelope(fallback, "", "", null, "it has no ledger metadata: the ledger did not write it");
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(json);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return new StoredEnvelope(fallback, "", "", null, "its metadata is not JSON: the ledger did not write it");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new StoredEnvelope(fallback, "", "", null, "its metadata is not a JSON object: the ledger did not write it");

            var missing = new List<string>();
            string Required(string key)
            {
                if (root.TryGetProperty(key, out var p) && p.ValueKind == JsonValueKind.String) return p.GetString()!;
                missing.Add(key);
                return "";
            }

            string? Optional(string key) =>
                root.TryGetProperty(key, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

            var defects = new List<string>();
            var recordedAtText = Required(RecordedAtKey);
            var recordedAt = created ?? default;
            if (recordedAtText.Length > 0)
            {
                if (InstantPattern.ExtendedIso.Parse(recordedAtText) is { Success: true } parsed) recordedAt = parsed.Value;
                else defects.Add(RecordedEvent.NotAnInstant(recordedAtText));
            }
            var schemaVersion = root.TryGetProperty(SchemaVersionKey, out var sv) && sv.TryGetInt32(out var v) ? v : 1;
            var metadata = new EventMetadata(
                Required(CorrelationIdKey), Required(CausationIdKey), Required(ActorKey), Required(SourceSystemKey),
                Optional(IdempotencyKeyKey), recordedAt, schemaVersion, Optional(TraceParentKey));
            var hash = Required(HashKey);
            if (missing.Count > 0) defects.Insert(0, $"its metadata has no {string.Join(", ", missing)}: the ledger did not write it as it is");
            Guid? appendId = Guid.TryParse(Optional(AppendIdKey), out var id) ? id : null;
            return new StoredEnvelope(metadata, Optional(PreviousHashKey) ?? "", hash, appendId, defects.Count == 0 ? null : string.Join("; ", defects));
        }
    }

    public static RecordedEvent ToRecordedEvent(ReadResp.Types.ReadEvent.Types.RecordedEvent e) =>
        ToRecordedEventWithAppendId(e).Event;

    public static (RecordedEvent Event, Guid? AppendId) ToRecordedEventWithAppendId(ReadResp.Types.ReadEvent.Types.RecordedEvent e)
    {
        var streamId = e.StreamIdentifier?.StreamName.ToStringUtf8() ?? "";
        var revision = checked((long)e.StreamRevision);
        var envelope = ReadCustomMetadata(e.CustomMetadata.Span, Created(e));
        var type = e.Metadata.TryGetValue(TypeKey, out var t) ? t : "";
        return (new RecordedEvent(
            FromUuid(e.Id),
            streamId,
            revision,
            new GlobalPosition(e.CommitPosition),
            type,
            e.Data.ToByteArray(),
            envelope.Metadata,
            envelope.PreviousHash,
            envelope.Hash) { Defect = envelope.Defect }, envelope.AppendId);
    }

    /// <summary>Events of the server's own bookkeeping: <c>$</c>-prefixed types (including links) or streams.</summary>
    public static bool IsSystemEvent(ReadResp.Types.ReadEvent.Types.RecordedEvent e) =>
        (e.Metadata.TryGetValue(TypeKey, out var type) && type.StartsWith('$'))
        || (e.StreamIdentifier is { } s && s.StreamName.Length > 0 && s.StreamName[0] == (byte)'$');

    public static StreamIdentifier ToStreamIdentifier(string streamId) =>
        new() { StreamName = ByteString.CopyFromUtf8(streamId) };

    /// <summary>We always send the string form; the server accepts either.</summary>
    public static UUID ToUuid(Guid id) => new() { String = id.ToString("D") };

    /// <summary>Reads either form: the string, or two big-endian halves of the RFC 4122 byte order.</summary>
    public static Guid FromUuid(UUID? uuid)
    {
        switch (uuid?.ValueCase)
        {
            case UUID.ValueOneofCase.String:
                return Guid.Parse(uuid.String);
            case UUID.ValueOneofCase.Structured:
            {
                Span<byte> bytes = stackalloc byte[16];
                BinaryPrimitives.WriteInt64BigEndian(bytes[..8], uuid.Structured.MostSignificantBits);
                BinaryPrimitives.WriteInt64BigEndian(bytes[8..], uuid.Structured.LeastSignificantBits);
                return new Guid(bytes, bigEndian: true);
            }
            default:
                throw new EventStoreDbException("The server sent an event without an id.");
        }
    }

    public static UUID ToStructuredUuid(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return new UUID
        {
            Structured = new UUID.Types.Structured
            {
                MostSignificantBits = BinaryPrimitives.ReadInt64BigEndian(bytes[..8]),
                LeastSignificantBits = BinaryPrimitives.ReadInt64BigEndian(bytes[8..]),
            },
        };
    }

    /// <summary>ESDB's <c>created</c>: 100-nanosecond ticks since the Unix epoch, as text.</summary>
    public static Instant? Created(ReadResp.Types.ReadEvent.Types.RecordedEvent e) =>
        e.Metadata.TryGetValue(CreatedKey, out var text) && long.TryParse(text, out var ticks)
            ? Instant.FromUnixTimeTicks(ticks)
            : null;
}
