using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Ledger.EventStore.EventStoreDb.Protocol;
using Status = Grpc.Core.Status;

namespace Ledger.EventStore.EventStoreDb;

/// <summary>
/// Appends over one long-lived <c>Streams.BatchAppend</c> call per node, as the official clients do since 21.10 (ADR/0006):
/// each append is one message (options, events, final) and its answer comes back on the same call under its correlation
/// id, so an append costs one message each way instead of a new HTTP/2 stream with three messages. Writes to the call go
/// one at a time (gRPC allows no more); answers are matched as they arrive, in any order. When the call breaks, every
/// append waiting on it fails with the call's error (a lost node, not-leader with the leader's address) and the backend
/// sends it again, to the new leader if there is one, with the same ids, which the server writes once. A server without
/// BatchAppend (before 21.10) answers Unimplemented: the channel then appends with <c>Streams.Append</c>.
/// </summary>
internal sealed class EventStoreDbBatchAppender(EventStoreDbChannel channel) : IDisposable
{
    private readonly SemaphoreSlim _opening = new(1, 1);
    private volatile Session? _session;
    private volatile bool _disposed;

    /// <summary>False once the server has said it has no BatchAppend.</summary>
    public bool Supported { get; private set; } = true;

    /// <summary>
    /// One append, answered as <c>Streams.Append</c> answers (success or wrong expected version); any other refusal is thrown
    /// as the <see cref="RpcException"/> <c>Streams.Append</c> would have thrown, so one error path serves both.
    /// </summary>
    public async Task<AppendResp> AppendAsync(AppendReq.Types.Options options, IReadOnlyList<AppendReq.Types.ProposedMessage> messages,
        CancellationToken ct)
    {
        var correlationId = Guid.NewGuid();
        var request = new BatchAppendReq
        {
            CorrelationId = new UUID { String = correlationId.ToString() },
            Options = new BatchAppendReq.Types.Options
            {
                StreamIdentifier = options.StreamIdentifier,
                Deadline = Duration.FromTimeSpan(channel.Settings.DefaultDeadline),
            },
            IsFinal = true,
        };
        switch (options.ExpectedStreamRevisionCase)
        {
            case AppendReq.Types.Options.ExpectedStreamRevisionOneofCase.Revision: request.Options.StreamPosition = options.Revision; break;
            case AppendReq.Types.Options.ExpectedStreamRevisionOneofCase.NoStream: request.Options.NoStream = new Protocol.Empty(); break;
            case AppendReq.Types.Options.ExpectedStreamRevisionOneofCase.StreamExists: request.Options.StreamExists = new Protocol.Empty(); break;
            default: request.Options.Any = new Protocol.Empty(); break;
        }
        foreach (var m in messages)
        {
            var proposed = new BatchAppendReq.Types.ProposedMessage { Id = m.Id, CustomMetadata = m.CustomMetadata, Data = m.Data };
            proposed.Metadata.Add(m.Metadata);
            request.ProposedMessages.Add(proposed);
        }

        var session = await SessionAsync(ct);
        var answer = session.Expect(correlationId);
        try
        {
            await session.WriteAsync(request, ct);
            // The server bounds the append by the deadline sent with it; this bounds a server that never answers at all.
            var response = await answer.WaitAsync(channel.Settings.DefaultDeadline + TimeSpan.FromSeconds(5), ct);
            return ToAppendResp(response);
        }
        catch (TimeoutException)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, "EventStoreDB did not answer the append in time."));
        }
        finally
        {
            session.Forget(correlationId);
        }
    }

    private async Task<Session> SessionAsync(CancellationToken ct)
    {
        if (_session is { Broken: false } open) return open;
        await _opening.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_session is { Broken: false } opened) return opened;
            _session?.Dispose();
            return _session = new Session(channel.Streams.BatchAppend(channel.Unbounded(CancellationToken.None)), this);
        }
        finally
        {
            _opening.Release();
        }
    }

    private static AppendResp ToAppendResp(BatchAppendResp response)
    {
        switch (response.ResultCase)
        {
            case BatchAppendResp.ResultOneofCase.Success:
            {
                var success = new AppendResp.Types.Success();
                if (response.Success.CurrentRevisionOptionCase == BatchAppendResp.Types.Success.CurrentRevisionOptionOneofCase.CurrentRevision)
                    success.CurrentRevision = response.Success.CurrentRevision;
                else success.NoStream = new Protocol.Empty();
                if (response.Success.PositionOptionCase == BatchAppendResp.Types.Success.PositionOptionOneofCase.Position)
                    success.Position = new AppendResp.Types.Position
                    {
                        CommitPosition = response.Success.Position.CommitPosition, PreparePosition = response.Success.Position.PreparePosition,
                    };
                else success.NoPosition = new Protocol.Empty();
                return new AppendResp { Success = success };
            }
            case BatchAppendResp.ResultOneofCase.Error when Detail(response.Error) == "WrongExpectedVersion":
            {
                var detail = WrongExpectedVersionDetail.Parser.ParseFrom(response.Error.Details.Value);
                var wrong = new AppendResp.Types.WrongExpectedVersion();
                if (detail.CurrentStreamRevisionOptionCase == WrongExpectedVersionDetail.CurrentStreamRevisionOptionOneofCase.CurrentStreamRevision)
                    wrong.CurrentRevision = detail.CurrentStreamRevision;
                else wrong.CurrentNoStream = new Protocol.Empty();
                return new AppendResp { WrongExpectedVersion = wrong };
            }
            case BatchAppendResp.ResultOneofCase.Error:
                throw AsAppendError(response.Error);
            default:
                throw new EventStoreDbException("EventStoreDB answered an append with nothing.");
        }
    }

    /// <summary>The error as <c>Streams.Append</c> reports it: a status code and the <c>exception</c> trailer the backend reads.</summary>
    private static RpcException AsAppendError(Protocol.Status error)
    {
        var detail = Detail(error);
        var (code, key) = detail switch
        {
            // A prepare or commit timeout: Append reports it as Aborted, which the backend retries with the same ids.
            "Timeout" => (StatusCode.Aborted, null),
            "StreamDeleted" => (StatusCode.FailedPrecondition, EventStoreDbErrors.StreamDeleted),
            "AccessDenied" => (StatusCode.PermissionDenied, EventStoreDbErrors.AccessDenied),
            "MaximumAppendSizeExceeded" => (StatusCode.InvalidArgument, EventStoreDbErrors.MaximumAppendSizeExceeded),
            _ => ((StatusCode)error.Code, (string?)null),
        };
        var trailers = new Grpc.Core.Metadata();
        if (key is not null) trailers.Add(EventStoreDbErrors.ExceptionKey, key);
        if (detail == "MaximumAppendSizeExceeded")
            trailers.Add(EventStoreDbErrors.MaximumAppendSize,
                MaximumAppendSizeExceededDetail.Parser.ParseFrom(error.Details.Value).MaxAppendSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return new RpcException(new Status(code, error.Message), trailers);
    }

    /// <summary>The detail's message name (the part of its type URL after the package).</summary>
    private static string? Detail(Protocol.Status error) =>
        error.Details is { TypeUrl: var url } && url.LastIndexOf('.') is var dot and >= 0 ? url[(dot + 1)..] : null;

    public void Dispose()
    {
        _disposed = true;
        _session?.Dispose();
    }

    /// <summary>One BatchAppend call: its writes one at a time, its answers matched to the appends waiting for them.</summary>
    private sealed class Session : IDisposable
    {
        private readonly AsyncDuplexStreamingCall<BatchAppendReq, BatchAppendResp> _call;
        private readonly EventStoreDbBatchAppender _owner;
        private readonly SemaphoreSlim _writing = new(1, 1);
        private readonly ConcurrentDictionary<Guid, TaskCompletionSource<BatchAppendResp>> _waiting = new();
        private Exception? _failure;

        public Session(AsyncDuplexStreamingCall<BatchAppendReq, BatchAppendResp> call, EventStoreDbBatchAppender owner)
        {
            _call = call;
            _owner = owner;
            _ = Task.Run(ReadAnswersAsync);
        }

        public bool Broken => Volatile.Read(ref _failure) is not null;

        public Task<BatchAppendResp> Expect(Guid correlationId)
        {
            var answer = new TaskCompletionSource<BatchAppendResp>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[correlationId] = answer;
            // Broken before it was registered: the reader has already failed the others.
            if (Volatile.Read(ref _failure) is { } failure) answer.TrySetException(failure);
            return answer.Task;
        }

        public void Forget(Guid correlationId) => _waiting.TryRemove(correlationId, out _);

        public async Task WriteAsync(BatchAppendReq request, CancellationToken ct)
        {
            await _writing.WaitAsync(ct);
            try
            {
                await _call.RequestStream.WriteAsync(request, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The call is gone; its reader reports why (the write itself only says it could not write).
                Fail(e as RpcException ?? new RpcException(new Status(StatusCode.Unavailable, $"The append stream broke: {e.Message}")));
                throw _failure!;
            }
            finally
            {
                _writing.Release();
            }
        }

        private async Task ReadAnswersAsync()
        {
            try
            {
                await foreach (var response in _call.ResponseStream.ReadAllAsync())
                    if (Guid.TryParse(response.CorrelationId?.String, out var id) && _waiting.TryGetValue(id, out var answer))
                        answer.TrySetResult(response);
                Fail(new RpcException(new Status(StatusCode.Unavailable, "EventStoreDB closed the append stream.")));
            }
            catch (RpcException e)
            {
                if (e.StatusCode == StatusCode.Unimplemented) _owner.Supported = false;
                Fail(e);
            }
            catch (Exception e)
            {
                Fail(new RpcException(new Status(StatusCode.Unavailable, $"The append stream broke: {e.Message}")));
            }
        }

        private void Fail(RpcException failure)
        {
            Interlocked.CompareExchange(ref _failure, failure, null);
            foreach (var answer in _waiting.Values) answer.TrySetException(_failure!);
        }

        public void Dispose()
        {
            Fail(new RpcException(new Status(StatusCode.Cancelled, "The append stream was closed.")));
            _call.Dispose();
        }
    }
}
