using System.Runtime.CompilerServices;
using Grpc.Core;
using Ledger.EventStore.EventStoreDb.Protocol;
using static Ledger.EventStore.EventStoreDb.Protocol.ReadReq.Types.Options.Types;

namespace Ledger.EventStore.EventStoreDb;

/// <summary>
/// The event store backend on EventStoreDB, over our own client for its public gRPC protocol
/// (ADR/0006): <c>Streams.Append</c> and <c>Streams.Read</c> on one node or a cluster's leader (found through
/// <c>Gossip.Read</c>, followed when it changes), insecure or TLS, optional basic authentication. Revisions are ESDB's stream revisions (0-based); positions are ESDB commit
/// positions, and for events written by this client commit and prepare positions are equal.
/// </summary>
public sealed class EventStoreDbBackend : IEventStoreBackend, IDisposable
{
    /// <summary>Server-side filter for $all: no event whose type starts with '$' (system events, links).</summary>
    internal const string NonSystemEventTypeRegex = @"^[^\$]";

    // An append the server timed out is sent again (same ids, same expectation) this many times in all.
    private const int MaxServerTimeoutAttempts = 3;

    private static readonly TimeSpan MinReconnectDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(5);

    // A call that finds its node gone or no longer leader is tried again on the one gossip names, this many times in all:
    // long enough for an election (a few seconds), with waits growing to a second.
    private const int MaxNodeAttempts = 12;

    private readonly EventStoreDbNodes _nodes;
    private readonly EventStoreDbConnectionString _settings;

    public EventStoreDbBackend(string connectionString) : this(EventStoreDbConnectionString.Parse(connectionString)) { }

    public EventStoreDbBackend(EventStoreDbConnectionString settings)
    {
        _settings = settings;
        _nodes = new EventStoreDbNodes(settings);
    }

    /// <summary>How often a cluster's leader was looked up again after a node was lost (for tests and diagnostics).</summary>
    internal int Rediscoveries => _nodes.Rediscoveries;

    /// <summary>
    /// Runs one call on the leader (or the node reads go to), and again on the one gossip names when the node is gone or
    /// no longer leader; a single node has nowhere else to go, so its errors come straight back. Safe for appends too: the
    /// repeat carries the same event ids and expectation, which EventStoreDB writes once.
    /// </summary>
    private async Task<T> OnNodeAsync<T>(bool leader, Func<EventStoreDbChannel, Task<T>> call, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            EventStoreDbChannel channel;
            try
            {
                channel = leader ? await _nodes.LeaderAsync(ct) : await _nodes.ReaderAsync(ct);
            }
            catch (EventStoreDbUnavailableException) when (attempt < MaxNodeAttempts && !ct.IsCancellationRequested)
            {
                await Task.Delay(NodeWait(attempt), ct); // no leader yet: an election under way
                continue;
            }
            try
            {
                return await call(channel);
            }
            catch (RpcException ex) when (attempt < MaxNodeAttempts && !ct.IsCancellationRequested && _nodes.Lost(channel, ex))
            {
                await Task.Delay(NodeWait(attempt), ct);
            }
        }
    }

    private static TimeSpan NodeWait(int attempt) => TimeSpan.FromMilliseconds(Math.Min(1000, 100 * (1 << Math.Min(attempt - 1, 4))));

    public EventStoreDbConnectionString Settings => _settings;

    private int _subscriptionReconnects;

    /// <summary>How often a subscription of this backend was re-established after a drop (for tests and diagnostics).</summary>
    internal int SubscriptionReconnects => Volatile.Read(ref _subscriptionReconnects);

    public async Task<AppendResult> AppendAsync(
        string streamId, ExpectedRevision expected, IReadOnlyList<ChainedEvent> events,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        if (events.Count == 0) throw new ArgumentException("Append at least one event.", nameof(events));

        var options = new AppendReq.Types.Options { StreamIdentifier = StreamName(streamId) };
        switch (expected.Kind)
        {
            case ExpectedRevisionKind.Any: options.Any = new Empty(); break;
            case ExpectedRevisionKind.NoStream: options.NoStream = new Empty(); break;
            case ExpectedRevisionKind.StreamExists: options.StreamExists = new Empty(); break;
            case ExpectedRevisionKind.Exact: options.Revision = checked((ulong)expected.Revision); break;
            default: throw new ArgumentOutOfRangeException(nameof(expected));
        }

        // A fresh id per call, kept in the metadata: ESDB keeps the first write's metadata for known event ids, so
        // the stored events say which call wrote them (for an operator; the append itself does not read it back).
        var appendId = Guid.NewGuid();
        var messages = events.Select(e => EventStoreDbEventMapper.ToProposedMessage(e, appendId)).ToList();
        ThrowIfLargerThanTheServerTakes(streamId, messages);

        AppendResp response;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                response = await OnNodeAsync(leader: true, channel => AppendOnce(channel, options, messages, cancellationToken), cancellationToken);
                break;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The append was cancelled; it may or may not have been written.", ex, cancellationToken);
            }
            catch (RpcException ex) when (EventStoreDbErrors.Key(ex) == EventStoreDbErrors.WrongExpectedVersion)
            {
                // Servers before 20.6 signalled it as an error with the actual version in a trailer.
                var actual = long.TryParse(ex.Trailers.GetValue(EventStoreDbErrors.ActualVersion), out var a) ? a : -1;
                return new AppendResult.WrongExpectedRevision(expected, actual);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Aborted && attempt < MaxServerTimeoutAttempts)
            {
                // The server timed out (prepare or commit phase). ESDB also answers this way when the same
                // event ids are being written by a concurrent append that is not committed yet: it drops the
                // copy. The same ids and expected revision again are safe: the retry is written once or
                // recognised as already written.
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), cancellationToken);
            }
            catch (RpcException ex)
            {
                throw EventStoreDbErrors.Translate(ex, $"append to '{streamId}'", _settings);
            }
        }

        switch (response.ResultCase)
        {
            case AppendResp.ResultOneofCase.WrongExpectedVersion:
                return new AppendResult.WrongExpectedRevision(expected, ActualRevision(response.WrongExpectedVersion));

            case AppendResp.ResultOneofCase.Success:
            {
                var success = response.Success;
                if (success.CurrentRevisionOptionCase != AppendResp.Types.Success.CurrentRevisionOptionOneofCase.CurrentRevision)
                    throw new EventStoreDbException($"EventStoreDB answered an append to '{streamId}' with success but no revision.");
                var lastRevision = checked((long)success.CurrentRevision);

                // The answer names the last event's own position, for a write and for a repeat of known ids alike
                // (ADR/0006), so nothing is read back. It cannot tell the two apart: Deduplicated stays false here;
                // the port says true when its own read found the events before appending.
                if (success.PositionOptionCase == AppendResp.Types.Success.PositionOptionOneofCase.Position)
                    return new AppendResult.Success(lastRevision, new GlobalPosition(success.Position.CommitPosition), Deduplicated: false);

                // A repeat the server could not place (it answers without a position): the stored last event says where.
                var stored = await ReadLastWritten(streamId, lastRevision, cancellationToken)
                    ?? throw new EventStoreDbException($"EventStoreDB answered an append to '{streamId}' without a position, and the event cannot be read back.");
                return new AppendResult.Success(lastRevision, stored.Position, Deduplicated: stored.AppendId != appendId);
            }

            default:
                throw new EventStoreDbException($"EventStoreDB answered an append to '{streamId}' with nothing.");
        }
    }

    /// <summary>
    /// The server refuses an append above its <c>MaxAppendSize</c> only after the whole request has crossed the wire; the
    /// ledger knows the limit (<see cref="EventStoreDbConnectionString.MaxAppendSize"/>) and refuses first. It counts data,
    /// metadata and twice the type's length, as the server means to (23.10 counts the data alone), so what passes here the
    /// server takes.
    /// </summary>
    private void ThrowIfLargerThanTheServerTakes(string streamId, List<AppendReq.Types.ProposedMessage> messages)
    {
        long size = 0;
        foreach (var m in messages)
            size += m.Data.Length + m.CustomMetadata.Length + 2L * m.Metadata[EventStoreDbEventMapper.TypeKey].Length;
        if (size > _settings.MaxAppendSize)
            throw new EventStoreDbAppendTooLargeException(
                $"An append of {size} bytes (data, metadata and type names of {messages.Count} event(s)) to '{streamId}' is larger than " +
                $"the server's MaxAppendSize ({_settings.MaxAppendSize} bytes, the maxAppendSize of the connection string). Nothing was written.",
                _settings.MaxAppendSize) { AppendSize = size };
    }

    private static async Task<AppendResp> AppendOnce(EventStoreDbChannel channel,
        AppendReq.Types.Options options, List<AppendReq.Types.ProposedMessage> messages, CancellationToken cancellationToken)
    {
        if (channel.Appender.Supported)
        {
            try
            {
                return await channel.Appender.AppendAsync(options, messages, cancellationToken);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unimplemented)
            {
                // A server before 21.10: nothing was written; from now on this node gets Streams.Append.
            }
        }
        using var call = channel.Streams.Append(channel.Bounded(cancellationToken));
        await call.RequestStream.WriteAsync(new AppendReq { Options = options }, cancellationToken);
        foreach (var message in messages)
            await call.RequestStream.WriteAsync(new AppendReq { ProposedMessage = message }, cancellationToken);
        await call.RequestStream.CompleteAsync();
        return await call.ResponseAsync;
    }

    internal static long ActualRevision(AppendResp.Types.WrongExpectedVersion wrong) =>
        wrong.CurrentRevisionOptionCase switch
        {
            AppendResp.Types.WrongExpectedVersion.CurrentRevisionOptionOneofCase.CurrentRevision => checked((long)wrong.CurrentRevision),
            AppendResp.Types.WrongExpectedVersion.CurrentRevisionOptionOneofCase.CurrentNoStream => -1,
            _ => wrong.CurrentRevisionOption2060Case switch
            {
                AppendResp.Types.WrongExpectedVersion.CurrentRevisionOption2060OneofCase.CurrentRevision2060 => checked((long)wrong.CurrentRevision2060),
                _ => -1,
            },
        };

    private async Task<(GlobalPosition Position, Guid? AppendId)?> ReadLastWritten(string streamId, long revision, CancellationToken ct)
    {
        var request = StreamRead(streamId, ReadDirection.Backwards, new StreamRevision(revision), 1);
        var read = await ReadStreamRaw(request, streamId, ct);
        if (read.NotFound) return null;
        foreach (var e in read.Events)
            if ((long)e.StreamRevision == revision)
            {
                var (recorded, appendId) = EventStoreDbEventMapper.ToRecordedEventWithAppendId(e);
                return (recorded.Position, appendId);
            }
        return null;
    }

    public async Task<ReadStreamResult> ReadStreamAsync(
        string streamId, ReadDirection direction, StreamRevision from, int maxCount,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        ArgumentOutOfRangeException.ThrowIfNegative(from.Value, nameof(from));

        var request = StreamRead(streamId, direction, from, Math.Max(maxCount, 1));
        var read = await ReadStreamRaw(request, streamId, cancellationToken);
        if (read.NotFound) return new ReadStreamResult.StreamNotFound(streamId);

        var events = read.Events.Take(maxCount).Select(ToLedgerEvent).ToList();

        long lastRevision;
        if (read.LastStreamPosition is { } last)
            lastRevision = checked((long)last);
        else if (direction == ReadDirection.Backwards && from == StreamRevision.End && read.Events.Count > 0)
            lastRevision = checked((long)read.Events[0].StreamRevision);
        else
        {
            // A server that does not send the last stream position: ask for the last event.
            var tail = await ReadStreamRaw(StreamRead(streamId, ReadDirection.Backwards, StreamRevision.End, 1), streamId, cancellationToken);
            if (tail.NotFound) return new ReadStreamResult.StreamNotFound(streamId);
            lastRevision = tail.Events.Count == 0 ? -1 : checked((long)tail.Events[0].StreamRevision);
        }
        return new ReadStreamResult.Found(events, lastRevision);
    }

    /// <summary>The server's name of a ledger stream: the configured prefix, then the ledger's id.</summary>
    private StreamIdentifier StreamName(string streamId) => EventStoreDbEventMapper.ToStreamIdentifier(_settings.StreamPrefix + streamId);

    /// <summary>An event as the ledger names it: its stream without the prefix.</summary>
    private RecordedEvent ToLedgerEvent(ReadResp.Types.ReadEvent.Types.RecordedEvent e)
    {
        var recorded = EventStoreDbEventMapper.ToRecordedEvent(e);
        return _settings.StreamPrefix.Length == 0 ? recorded : recorded with { StreamId = recorded.StreamId[_settings.StreamPrefix.Length..] };
    }

    /// <summary>Whether an event from <c>$all</c> is in this ledger's part of the server: not a system event, in a stream under the prefix.</summary>
    private bool IsLedgers(ReadResp.Types.ReadEvent.Types.RecordedEvent e) =>
        !EventStoreDbEventMapper.IsSystemEvent(e)
        && (_settings.StreamPrefix.Length == 0
            || (e.StreamIdentifier?.StreamName.ToStringUtf8() ?? "").StartsWith(_settings.StreamPrefix, StringComparison.Ordinal));

    private ReadReq StreamRead(string streamId, ReadDirection direction, StreamRevision from, int count)
    {
        var stream = new StreamOptions { StreamIdentifier = StreamName(streamId) };
        if (from == StreamRevision.End) stream.End = new Empty();
        else stream.Revision = checked((ulong)from.Value);

        return new ReadReq
        {
            Options = new ReadReq.Types.Options
            {
                Stream = stream,
                ReadDirection = direction == ReadDirection.Forwards
                    ? ReadReq.Types.Options.Types.ReadDirection.Forwards
                    : ReadReq.Types.Options.Types.ReadDirection.Backwards,
                ResolveLinks = false,
                Count = checked((ulong)count),
                NoFilter = new Empty(),
                UuidOption = new UUIDOption { String = new Empty() },
                // 1: the server ends a stream read with the stream's last revision.
                ControlOption = new ControlOption { Compatibility = 1 },
            },
        };
    }

    private sealed record RawStreamRead(
        bool NotFound, List<ReadResp.Types.ReadEvent.Types.RecordedEvent> Events, ulong? LastStreamPosition);

    private async Task<RawStreamRead> ReadStreamRaw(ReadReq request, string streamId, CancellationToken ct)
    {
        try
        {
            return await OnNodeAsync(leader: false, channel => ReadStreamOnce(channel, request, ct), ct);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && ct.IsCancellationRequested)
        {
            throw new OperationCanceledException("The read was cancelled.", ex, ct);
        }
        catch (RpcException ex) when (EventStoreDbErrors.Key(ex) == EventStoreDbErrors.StreamNotFound)
        {
            return new RawStreamRead(true, [], null);
        }
        catch (RpcException ex)
        {
            throw EventStoreDbErrors.Translate(ex, $"read of '{streamId}'", _settings);
        }
    }

    private static async Task<RawStreamRead> ReadStreamOnce(EventStoreDbChannel channel, ReadReq request, CancellationToken ct)
    {
        var events = new List<ReadResp.Types.ReadEvent.Types.RecordedEvent>();
        ulong? lastStreamPosition = null;
        using var call = channel.Streams.Read(request, channel.Bounded(ct));
        while (await call.ResponseStream.MoveNext(ct))
        {
            var response = call.ResponseStream.Current;
            switch (response.ContentCase)
            {
                case ReadResp.ContentOneofCase.StreamNotFound:
                    return new RawStreamRead(true, events, null);
                case ReadResp.ContentOneofCase.Event:
                    events.Add(response.Event.Event);
                    break;
                case ReadResp.ContentOneofCase.LastStreamPosition:
                    lastStreamPosition = response.LastStreamPosition;
                    break;
            }
        }
        return new RawStreamRead(false, events, lastStreamPosition);
    }

    public async IAsyncEnumerable<RecordedEvent> ReadAllAsync(
        GlobalPosition after, int maxCount, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        var last = after;
        var handedOut = 0;
        while (handedOut < maxCount)
        {
            // A read from a position includes the event at that position: ask for one more and skip it.
            var requested = maxCount - handedOut + (last == GlobalPosition.Start ? 0 : 1);
            var page = await ReadAllPage(last, requested, cancellationToken);
            foreach (var e in page)
            {
                var position = new GlobalPosition(e.CommitPosition);
                if (position.CompareTo(last) <= 0) continue;
                last = position;
                if (!IsLedgers(e)) continue;
                yield return ToLedgerEvent(e);
                if (++handedOut >= maxCount) yield break;
            }
            if (page.Count < requested) yield break; // the end of $all
        }
    }

    private async Task<List<ReadResp.Types.ReadEvent.Types.RecordedEvent>> ReadAllPage(
        GlobalPosition from, int count, CancellationToken ct)
    {
        var request = new ReadReq
        {
            Options = new ReadReq.Types.Options
            {
                All = AllFrom(from),
                ReadDirection = ReadReq.Types.Options.Types.ReadDirection.Forwards,
                ResolveLinks = false,
                Count = checked((ulong)count),
                Filter = NonSystemFilter(),
                UuidOption = new UUIDOption { String = new Empty() },
                ControlOption = new ControlOption { Compatibility = 1 },
            },
        };
        try
        {
            return await OnNodeAsync(leader: false, async channel =>
            {
                var events = new List<ReadResp.Types.ReadEvent.Types.RecordedEvent>();
                using var call = channel.Streams.Read(request, channel.Bounded(ct));
                while (await call.ResponseStream.MoveNext(ct))
                    if (call.ResponseStream.Current.ContentCase == ReadResp.ContentOneofCase.Event)
                        events.Add(call.ResponseStream.Current.Event.Event);
                return events;
            }, ct);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && ct.IsCancellationRequested)
        {
            throw new OperationCanceledException("The read was cancelled.", ex, ct);
        }
        catch (RpcException ex)
        {
            throw EventStoreDbErrors.Translate(ex, "read of $all", _settings);
        }
    }

    public async IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(
        GlobalPosition after, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var last = after;
        var delay = MinReconnectDelay;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            EventStoreDbChannel channel;
            try
            {
                channel = await _nodes.ReaderAsync(cancellationToken);
            }
            catch (EventStoreDbUnavailableException) when (!cancellationToken.IsCancellationRequested)
            {
                // No leader yet (an election): subscribe again in a moment.
                Interlocked.Increment(ref _subscriptionReconnects);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
                continue;
            }
            using var call = channel.Streams.Read(new ReadReq
            {
                Options = new ReadReq.Types.Options
                {
                    All = AllFrom(last),
                    ReadDirection = ReadReq.Types.Options.Types.ReadDirection.Forwards,
                    ResolveLinks = false,
                    Subscription = new SubscriptionOptions(),
                    Filter = NonSystemFilter(),
                    UuidOption = new UUIDOption { String = new Empty() },
                    ControlOption = new ControlOption { Compatibility = 1 },
                },
            }, channel.Unbounded(cancellationToken));

            while (true)
            {
                ReadResp? response;
                try
                {
                    response = await call.ResponseStream.MoveNext(cancellationToken) ? call.ResponseStream.Current : null;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException("The subscription was cancelled.", ex, cancellationToken);
                }
                catch (RpcException ex) when (EventStoreDbErrors.IsTransient(ex))
                {
                    // Dropped connection, node restarting or no longer leader: resubscribe (in a cluster, where gossip says).
                    _nodes.Lost(channel, ex);
                    response = null;
                }
                catch (RpcException ex)
                {
                    throw EventStoreDbErrors.Translate(ex, "subscription to $all", _settings);
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    response = null;
                }

                if (response is null)
                {
                    // The server ended the call or the connection dropped: resubscribe after the last event
                    // handed out. Events at or before it are skipped below, so nothing repeats.
                    Interlocked.Increment(ref _subscriptionReconnects);
                    await Task.Delay(delay, cancellationToken);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
                    break;
                }

                if (response.ContentCase != ReadResp.ContentOneofCase.Event) continue;
                delay = MinReconnectDelay;
                var e = response.Event.Event;
                var position = new GlobalPosition(e.CommitPosition);
                if (position.CompareTo(last) <= 0) continue;
                if (!IsLedgers(e))
                {
                    last = position;
                    continue;
                }
                var recorded = ToLedgerEvent(e);
                last = position;
                yield return recorded;
            }
        }
    }

    /// <summary>
    /// Where a forward $all read starts. The position of an event written by this client has equal commit
    /// and prepare positions, so (p, p) names exactly that event; the read includes it and callers skip it.
    /// </summary>
    internal static AllOptions AllFrom(GlobalPosition position) =>
        position == GlobalPosition.Start
            ? new AllOptions { Start = new Empty() }
            : new AllOptions { Position = new Position { CommitPosition = position.Value, PreparePosition = position.Value } };

    /// <summary>
    /// Only the ledger's part of $all leaves the server: events under the stream prefix when there is one (system streams
    /// start with '$', so none is), else every event whose type is not a system type.
    /// </summary>
    private FilterOptions NonSystemFilter() => _settings.StreamPrefix.Length > 0
        ? new()
        {
            StreamIdentifier = new FilterOptions.Types.Expression { Prefix = { _settings.StreamPrefix } },
            Count = new Empty(),
            CheckpointIntervalMultiplier = 1,
        }
        : new()
        {
            EventType = new FilterOptions.Types.Expression { Regex = NonSystemEventTypeRegex },
            Count = new Empty(),
            CheckpointIntervalMultiplier = 1,
        };

    public void Dispose() => _nodes.Dispose();
}
