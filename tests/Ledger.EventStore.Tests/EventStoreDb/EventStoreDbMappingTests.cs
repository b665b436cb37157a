using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Ledger.EventStore.EventStoreDb;
using Ledger.EventStore.EventStoreDb.Protocol;
using NodaTime;
using Xunit;
using WireEvent = Ledger.EventStore.EventStoreDb.Protocol.ReadResp.Types.ReadEvent.Types.RecordedEvent;

namespace Ledger.EventStore.Tests.EventStoreDb;

public sealed class EventStoreDbMappingTests
{
    private static readonly EventMetadata Metadata = new(
        CorrelationId: "corr-1",
        CausationId: "cmd-7",
        Actor: "user:alice",
        SourceSystem: "crm",
        IdempotencyKey: "key-42",
        RecordedAt: Instant.FromUtc(2026, 3, 14, 15, 9, 26) + Duration.FromNanoseconds(535_897_000),
        SchemaVersion: 2);

    private static ChainedEvent Chained(EventMetadata? metadata = null)
    {
        var data = Encoding.UTF8.GetBytes("""{"quoteId":"q-1","amount":1.50}""");
        var e = new EventToAppend(Guid.Parse("6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b"), "quote-drafted.v1", data, metadata ?? Metadata);
        var previous = "ab".PadRight(64, '0');
        return new ChainedEvent(e, previous, EventHash.Compute(e.Type, e.Data.Span, e.Metadata, previous));
    }

    /// <summary>What the server hands back for a proposed message (as ESDB does: type and content-type
    /// in the system metadata, custom metadata and data byte for byte).</summary>
    private static WireEvent Stored(AppendReq.Types.ProposedMessage proposed, string stream, ulong revision, ulong position)
    {
        var stored = new WireEvent
        {
            Id = proposed.Id,
            StreamIdentifier = EventStoreDbEventMapper.ToStreamIdentifier(stream),
            StreamRevision = revision,
            CommitPosition = position,
            PreparePosition = position,
            CustomMetadata = proposed.CustomMetadata,
            Data = proposed.Data,
        };
        stored.Metadata.Add(proposed.Metadata);
        stored.Metadata.Add("created", "17000000000000000");
        return stored;
    }

    [Fact]
    public void Proposed_message_carries_id_type_content_type_data_and_the_envelope()
    {
        var chained = Chained();
        var appendId = Guid.NewGuid();
        var m = EventStoreDbEventMapper.ToProposedMessage(chained, appendId);

        Assert.Equal(UUID.ValueOneofCase.String, m.Id.ValueCase);
        Assert.Equal("6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b", m.Id.String);
        Assert.Equal("quote-drafted.v1", m.Metadata["type"]);
        Assert.Equal("application/json", m.Metadata["content-type"]);
        Assert.Equal(2, m.Metadata.Count);
        Assert.Equal(chained.Event.Data.ToArray(), m.Data.ToByteArray());

        using var json = JsonDocument.Parse(m.CustomMetadata.Memory);
        var root = json.RootElement;
        Assert.Equal("corr-1", root.GetProperty("correlationId").GetString());
        Assert.Equal("cmd-7", root.GetProperty("causationId").GetString());
        Assert.Equal("user:alice", root.GetProperty("actor").GetString());
        Assert.Equal("crm", root.GetProperty("sourceSystem").GetString());
        Assert.Equal("key-42", root.GetProperty("idempotencyKey").GetString());
        Assert.Equal("2026-03-14T15:09:26.535897Z", root.GetProperty("recordedAt").GetString());
        Assert.Equal(2, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(chained.PreviousHash, root.GetProperty("previousHash").GetString());
        Assert.Equal(chained.Hash, root.GetProperty("hash").GetString());
        Assert.Equal(appendId.ToString(), root.GetProperty("appendId").GetString());
    }

    [Fact]
    public void Stored_event_reads_back_as_the_recorded_event_and_its_hash_verifies()
    {
        var chained = Chained();
        var appendId = Guid.NewGuid();
        var wire = Stored(EventStoreDbEventMapper.ToProposedMessage(chained, appendId), "quote-q-1", 3, 98_765);

        var (e, storedAppendId) = EventStoreDbEventMapper.ToRecordedEventWithAppendId(wire);

        Assert.Equal(chained.Event.EventId, e.EventId);
        Assert.Equal("quote-q-1", e.StreamId);
        Assert.Equal(3, e.Revision);
        Assert.Equal(new GlobalPosition(98_765), e.Position);
        Assert.Equal("quote-drafted.v1", e.Type);
        Assert.Equal(chained.Event.Data.ToArray(), e.Data.ToArray());
        Assert.Equal(Metadata, e.Metadata);
        Assert.Equal(chained.PreviousHash, e.PreviousHash);
        Assert.Equal(chained.Hash, e.Hash);
        Assert.Equal(appendId, storedAppendId);
        Assert.True(EventHash.Verify(e));
    }

    [Fact]
    public void A_null_idempotency_key_and_an_empty_previous_hash_round_trip()
    {
        var chained = Chained(Metadata with { IdempotencyKey = null, SchemaVersion = 1 }) is var c
            ? c with { PreviousHash = "", Hash = EventHash.Compute(c.Event.Type, c.Event.Data.Span, c.Event.Metadata, "") }
            : throw new InvalidOperationException();
        var wire = Stored(EventStoreDbEventMapper.ToProposedMessage(chained, Guid.NewGuid()), "s", 0, 1);

        var e = EventStoreDbEventMapper.ToRecordedEvent(wire);

        Assert.Null(e.Metadata.IdempotencyKey);
        Assert.Equal(1, e.Metadata.SchemaVersion);
        Assert.Equal("", e.PreviousHash);
        Assert.True(EventHash.Verify(e));
    }

    [Fact]
    public void Uuid_string_and_structured_forms_name_the_same_id()
    {
        // The structured form is the two big-endian halves of the RFC 4122 bytes (Java's UUID layout).
        var id = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        var structured = EventStoreDbEventMapper.ToStructuredUuid(id);
        Assert.Equal(0x0011223344556677L, structured.Structured.MostSignificantBits);
        Assert.Equal(unchecked((long)0x8899aabbccddeeffUL), structured.Structured.LeastSignificantBits);

        Assert.Equal(id, EventStoreDbEventMapper.FromUuid(structured));
        Assert.Equal(id, EventStoreDbEventMapper.FromUuid(EventStoreDbEventMapper.ToUuid(id)));

        var random = Guid.NewGuid();
        Assert.Equal(random, EventStoreDbEventMapper.FromUuid(EventStoreDbEventMapper.ToStructuredUuid(random)));
    }

    [Fact]
    public void An_event_without_our_envelope_is_read_with_its_defect_named_not_refused()
    {
        var created = Instant.FromUtc(2026, 3, 2, 9, 0);
        var foreign = new WireEvent
        {
            Id = EventStoreDbEventMapper.ToUuid(Guid.NewGuid()),
            StreamIdentifier = EventStoreDbEventMapper.ToStreamIdentifier("other-app"),
            StreamRevision = 0,
            CustomMetadata = ByteString.Empty,
            Data = ByteString.CopyFromUtf8("{}"),
        };
        foreign.Metadata.Add("type", "something");
        foreign.Metadata.Add(EventStoreDbEventMapper.CreatedKey, created.ToUnixTimeTicks().ToString());
        var read = EventStoreDbEventMapper.ToRecordedEvent(foreign);
        Assert.Equal(("other-app", 0L, "something", "", created), (read.StreamId, read.Revision, read.Type, read.Hash, read.Metadata.RecordedAt));
        Assert.Contains("no ledger metadata", read.Defect);

        foreign.CustomMetadata = ByteString.CopyFromUtf8("""{"correlationId":"c"}""");
        read = EventStoreDbEventMapper.ToRecordedEvent(foreign);
        Assert.Equal("c", read.Metadata.CorrelationId);
        Assert.Contains("no causationId, actor, sourceSystem, hash", read.Defect?.Replace("recordedAt, ", ""));

        foreign.CustomMetadata = ByteString.CopyFromUtf8("not json");
        Assert.Contains("not JSON", EventStoreDbEventMapper.ToRecordedEvent(foreign).Defect);

        var ours = EventStoreDbEventMapper.WriteCustomMetadata(new EventMetadata("c", "k", "a", "s", null, created), "", "h", Guid.NewGuid());
        foreign.CustomMetadata = ByteString.CopyFrom(System.Text.Encoding.UTF8.GetBytes(
            System.Text.Encoding.UTF8.GetString(ours).Replace(NodaTime.Text.InstantPattern.ExtendedIso.Format(created), "yesterday")));
        Assert.Contains("recordedAt 'yesterday' is not an ISO-8601 instant", EventStoreDbEventMapper.ToRecordedEvent(foreign).Defect);

        foreign.CustomMetadata = ByteString.CopyFrom(ours);
        Assert.Null(EventStoreDbEventMapper.ToRecordedEvent(foreign).Defect);
    }

    [Theory]
    [InlineData("$metadata", "$$quote-1", true)]
    [InlineData("$>", "$ce-quote", true)]
    [InlineData("$statsCollected", "$stats-127.0.0.1:2113", true)]
    [InlineData("something", "$system-stream", true)]
    [InlineData("quote-drafted.v1", "quote-1", false)]
    public void System_events_are_recognised_by_type_or_stream(string type, string stream, bool system)
    {
        var e = new WireEvent { StreamIdentifier = EventStoreDbEventMapper.ToStreamIdentifier(stream) };
        e.Metadata.Add("type", type);
        Assert.Equal(system, EventStoreDbEventMapper.IsSystemEvent(e));
    }

    [Fact]
    public void The_server_side_filter_excludes_dollar_types_only()
    {
        var regex = EventStoreDbBackend.NonSystemEventTypeRegex;
        Assert.DoesNotMatch(regex, "$metadata");
        Assert.DoesNotMatch(regex, "$>");
        Assert.Matches(regex, "quote-drafted.v1");
    }

    [Fact]
    public void Wrong_expected_version_reports_the_actual_revision()
    {
        var wrong = new AppendResp.Types.WrongExpectedVersion { CurrentRevision = 7, ExpectedRevision = 5 };
        Assert.Equal(7, EventStoreDbBackend.ActualRevision(wrong));

        var none = new AppendResp.Types.WrongExpectedVersion { CurrentNoStream = new Empty(), ExpectedRevision = 0 };
        Assert.Equal(-1, EventStoreDbBackend.ActualRevision(none));

        var old = new AppendResp.Types.WrongExpectedVersion { CurrentRevision2060 = 3 };
        Assert.Equal(3, EventStoreDbBackend.ActualRevision(old));
    }

    [Fact]
    public void All_reads_start_at_the_beginning_or_at_an_events_commit_and_prepare_position()
    {
        Assert.Equal(ReadReq.Types.Options.Types.AllOptions.AllOptionOneofCase.Start,
            EventStoreDbBackend.AllFrom(GlobalPosition.Start).AllOptionCase);
        var from = EventStoreDbBackend.AllFrom(new GlobalPosition(4242));
        Assert.Equal(4242UL, from.Position.CommitPosition);
        Assert.Equal(4242UL, from.Position.PreparePosition);
    }

    [Fact]
    public void Created_is_ticks_since_the_unix_epoch()
    {
        var e = new WireEvent();
        e.Metadata.Add("created", "17000000000000000");
        Assert.Equal(Instant.FromUnixTimeTicks(17_000_000_000_000_000), EventStoreDbEventMapper.Created(e));
    }
}
