using Grpc.Core;

namespace Ledger.EventStore.EventStoreDb;

/// <summary>
/// What ESDB's gRPC errors mean. The server names its error in the <c>exception</c> trailer
/// (<c>wrong-expected-version</c>, <c>stream-deleted</c>, <c>stream-not-found</c>, <c>not-leader</c>,
/// <c>access-denied</c>, <c>maximum-append-size-exceeded</c>, ...) with details in further trailers
/// (<c>actual-version</c>, <c>leader-endpoint-host</c>, <c>leader-endpoint-port</c>, ...).
/// </summary>
internal static class EventStoreDbErrors
{
    public const string ExceptionKey = "exception";
    public const string WrongExpectedVersion = "wrong-expected-version";
    public const string StreamDeleted = "stream-deleted";
    public const string StreamNotFound = "stream-not-found";
    public const string NotLeader = "not-leader";
    public const string AccessDenied = "access-denied";
    public const string MaximumAppendSizeExceeded = "maximum-append-size-exceeded";
    public const string ActualVersion = "actual-version";
    public const string MaximumAppendSize = "maximum-append-size";
    public const string LeaderEndpointHost = "leader-endpoint-host";
    public const string LeaderEndpointPort = "leader-endpoint-port";

    public static string? Key(RpcException ex) => ex.Trailers.GetValue(ExceptionKey);

    /// <summary>
    /// Errors that a later attempt (a reconnect) may not have: a dropped or refused connection, a node that
    /// is restarting or no longer leader, a deadline. Not TLS or credential failures, nor a refused request:
    /// retrying those would only hide a configuration error.
    /// </summary>
    public static bool IsTransient(RpcException ex) =>
        Key(ex) == NotLeader
        || ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Aborted
            or StatusCode.ResourceExhausted or StatusCode.Cancelled
        || (ex.StatusCode == StatusCode.Internal && IsBrokenConnection(ex));

    // grpc-dotnet reports a connection cut mid-stream as Internal with the I/O error inside.
    private static bool IsBrokenConnection(Exception ex)
    {
        var sawIo = false;
        for (Exception? e = ex.InnerException; e is not null; e = e.InnerException)
        {
            if (e is System.Security.Authentication.AuthenticationException) return false;
            if (e is IOException or HttpRequestException or System.Net.Sockets.SocketException) sawIo = true;
        }
        return sawIo;
    }

    /// <summary>The exception to throw for an error the port has no result for.</summary>
    public static EventStoreDbException Translate(RpcException ex, string operation, EventStoreDbConnectionString settings)
    {
        var key = Key(ex);
        var where = $"{settings.Host}:{settings.Port}";
        switch (key)
        {
            case NotLeader:
            {
                var leader = $"{ex.Trailers.GetValue(LeaderEndpointHost)}:{ex.Trailers.GetValue(LeaderEndpointPort)}";
                return new EventStoreDbUnavailableException(
                    $"EventStoreDB {operation} failed: node {where} is not the leader (leader: {leader}). " +
                    "Name every node of the cluster in the connection string (esdb://a,b,c or esdb+discover://), so that the ledger follows its leader.", key, ex)
                { LeaderEndpoint = leader };
            }
            case StreamDeleted:
                return new EventStoreDbException($"EventStoreDB {operation} failed: the stream is deleted.", key, ex);
            case AccessDenied:
                return new EventStoreDbException(
                    $"EventStoreDB {operation} failed: access denied for {(settings.Username ?? "anonymous")} on {where}.", key, ex);
            case MaximumAppendSizeExceeded:
            {
                var limit = long.TryParse(ex.Trailers.GetValue(MaximumAppendSize), out var l) ? l : (long?)null;
                return new EventStoreDbAppendTooLargeException(
                    $"EventStoreDB {operation} failed: the append (data and metadata of all its events) is larger than the server's " +
                    $"MaxAppendSize ({limit?.ToString() ?? "unknown"} bytes; ESDB's default is 1 MiB). Nothing was written.", limit, ex);
            }
        }

        return ex.StatusCode switch
        {
            StatusCode.DeadlineExceeded => new EventStoreDbUnavailableException(
                $"EventStoreDB {operation} on {where} did not finish within the deadline ({settings.DefaultDeadline.TotalSeconds:0.###} s); " +
                "an append may or may not have been written, and a retry with the same event ids is safe.", key, ex),
            StatusCode.Unavailable => new EventStoreDbUnavailableException(
                $"EventStoreDB {operation} failed: {where} is unavailable ({ex.Status.Detail}).", key, ex),
            StatusCode.Aborted => new EventStoreDbUnavailableException(
                $"EventStoreDB {operation} failed on {where}: {ex.Status.Detail} (the server timed out; a retry is safe).", key, ex),
            StatusCode.Unauthenticated => new EventStoreDbException(
                $"EventStoreDB {operation} failed: {where} did not accept the credentials.", key, ex),
            StatusCode.PermissionDenied => new EventStoreDbException(
                $"EventStoreDB {operation} failed: access denied on {where}.", key, ex),
            _ => new EventStoreDbException(
                $"EventStoreDB {operation} failed on {where}: {ex.StatusCode} {ex.Status.Detail}" +
                (key is null ? "" : $" ({key})"), key, ex),
        };
    }
}
