namespace Ledger.EventStore.EventStoreDb;

/// <summary>EventStoreDB refused or failed an operation for a reason the port has no answer for.</summary>
public class EventStoreDbException : Exception
{
    public EventStoreDbException(string message, string? exceptionKey = null, Exception? innerException = null)
        : base(message, innerException) => ExceptionKey = exceptionKey;

    /// <summary>The server's <c>exception</c> trailer (e.g. <c>stream-deleted</c>, <c>access-denied</c>), when it sent one.</summary>
    public string? ExceptionKey { get; }
}

/// <summary>
/// An append larger than the server's <c>MaxAppendSize</c> (data and metadata of all its events; 1 MiB unless the server is
/// started with <c>--max-append-size</c>): refused by the ledger before sending, against the configured limit, or by the
/// server, with the limit it reported. Nothing was written.
/// </summary>
public sealed class EventStoreDbAppendTooLargeException(string message, long? maximumAppendSize, Exception? innerException = null)
    : EventStoreDbException(message, EventStoreDbErrors.MaximumAppendSizeExceeded, innerException)
{
    /// <summary>The limit in bytes: the server's, when it said, or the configured one the ledger refused by before sending.</summary>
    public long? MaximumAppendSize { get; } = maximumAppendSize;

    /// <summary>The append's size as the ledger counted it, when the ledger refused it before sending.</summary>
    public long? AppendSize { get; init; }
}

/// <summary>
/// The server could not be reached or could not serve the request now: connection refused or dropped,
/// deadline exceeded, server not ready, or the node is not the leader. Retrying later may succeed;
/// an append that failed this way may or may not have been written (a retry with the same event ids is safe).
/// </summary>
public sealed class EventStoreDbUnavailableException(string message, string? exceptionKey = null, Exception? innerException = null)
    : EventStoreDbException(message, exceptionKey, innerException)
{
    /// <summary>Where the leader is, when the server answered <c>not-leader</c>.</summary>
    public string? LeaderEndpoint { get; init; }
}


