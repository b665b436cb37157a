using Google.Protobuf;
using Ledger.EventStore.EventStoreDb;
using Ledger.EventStore.EventStoreDb.Protocol;

namespace Ledger.Testing;

/// <summary>Another client of a shared EventStoreDB: it appends its own events, with its own type and data and no ledger metadata.</summary>
public static class EventStoreDbOtherClient
{
    /// <param name="afterRevision">The stream's last revision, or -1 for a new stream.</param>
    public static async Task AppendAsync(string connectionString, string stream, long afterRevision, string type, byte[] data)
    {
        using var channel = new EventStoreDbChannel(EventStoreDbConnectionString.Parse(connectionString));
        var options = new AppendReq.Types.Options { StreamIdentifier = EventStoreDbEventMapper.ToStreamIdentifier(stream) };
        if (afterRevision < 0) options.NoStream = new Empty();
        else options.Revision = (ulong)afterRevision;
        var message = new AppendReq.Types.ProposedMessage { Id = EventStoreDbEventMapper.ToUuid(Guid.NewGuid()), Data = ByteString.CopyFrom(data) };
        message.Metadata.Add(EventStoreDbEventMapper.TypeKey, type);
        message.Metadata.Add(EventStoreDbEventMapper.ContentTypeKey, "application/octet-stream");
        using var call = channel.Streams.Append(channel.Bounded(CancellationToken.None));
        await call.RequestStream.WriteAsync(new AppendReq { Options = options });
        await call.RequestStream.WriteAsync(new AppendReq { ProposedMessage = message });
        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;
        if (response.ResultCase != AppendResp.ResultOneofCase.Success)
            throw new InvalidOperationException($"EventStoreDB refused the other client's append to {stream}: {response.ResultCase}");
    }
}
