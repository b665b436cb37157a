namespace Ledger.EventStore.Writing;

/// <summary>Whose request a stored answer belongs to: the authenticated client and its <c>Idempotency-Key</c>.</summary>
public sealed record AnswerKey(string Client, string Key);

/// <summary>What the first attempt with a key answered, replayed to every retry (ADR/0009).</summary>
public sealed record StoredAnswer(string RequestHash, int StatusCode, string? ContentType, string? Location, byte[] Body);

/// <summary>A stream as a command found it: every event in order; -1 and an empty hash when it does not exist yet.</summary>
public sealed record StreamSnapshot(string StreamId, IReadOnlyList<RecordedEvent> Events)
{
    public long LastRevision => Events.Count == 0 ? -1 : Events[^1].Revision;

    /// <summary>The hash the next event chains from: the tail this command loaded, never read again.</summary>
    public string TailHash => Events.Count == 0 ? "" : Events[^1].Hash;
}

/// <summary>
/// One command's reads and writes (ADR/0016). In PostgreSQL mode it is one database transaction: the first read
/// also looks up the stored answer, streams read for writing are locked until the end, and the events and the
/// answer commit together. In EventStoreDB mode the events append through the port and the answer is stored after
/// them; derived event ids keep a retry exact there.
/// </summary>
public interface IWriteSession : IAsyncDisposable
{
    /// <summary>The answer stored for this session's key, if any; looked up at most once, with the first read.</summary>
    Task<StoredAnswer?> FindAnswerAsync(CancellationToken ct);

    /// <summary>
    /// Reads a whole stream. <paramref name="forWrite"/> locks it until the session ends, so no other command decides
    /// on it meanwhile; other streams a decision merely consults are read without a lock.
    /// </summary>
    Task<StreamSnapshot> ReadAsync(string streamId, bool forWrite, CancellationToken ct);

    /// <summary>The events of a stream after <paramref name="afterRevision"/>, unlocked: how caches of reference streams catch up.</summary>
    Task<IReadOnlyList<RecordedEvent>> ReadNewAsync(string streamId, long afterRevision, CancellationToken ct);

    /// <summary>Appends after <paramref name="read"/>, chaining from its tail. A lost race throws <see cref="WriteConflictException"/>.</summary>
    Task<AppendResult.Success> AppendAsync(StreamSnapshot read, IReadOnlyList<EventToAppend> events, CancellationToken ct);

    /// <summary>
    /// The PostgreSQL transaction the answer commits in (begun here if need be): what joins the commit, such as durable
    /// messages in Wolverine's outbox, is written in it. In PostgreSQL mode the events commit in it too.
    /// </summary>
    Task<System.Data.Common.DbTransaction> TransactionAsync(CancellationToken ct);

    /// <summary>Stores the answer (when the session has a key and an answer is given) and commits everything.</summary>
    Task CommitAsync(StoredAnswer? answer, CancellationToken ct);
}

public interface IWriteSessions
{
    IWriteSession Open(AnswerKey? key, Durability durability);

    /// <summary>A transaction several derived units share, or null where the backend cannot share one (EventStoreDB).</summary>
    IWriteGroup? OpenGroup();
}

/// <summary>
/// Several derived units in one PostgreSQL transaction (group commit, ADR/0017): each unit reads, appends and stores its
/// answer under its own key as it would alone, and all commit together or none does. The reaction lanes use it for the
/// reactions queued behind each other, which alone would be a transaction each. A unit's lost race fails the whole group;
/// whoever opened it runs its units again alone. Disposed uncommitted, it rolls everything back.
/// </summary>
public interface IWriteGroup : IAsyncDisposable
{
    /// <summary>A derived unit's session inside the group: its commit stores its answer and leaves the transaction open.</summary>
    IWriteSession Open(AnswerKey key);

    Task CommitAsync(CancellationToken ct);
}

/// <summary>Another writer got there first (a stream moved, a concurrent attempt with the same key stored its answer): run the whole command again.</summary>
public sealed class WriteConflictException(string message, Exception? inner = null) : Exception(message, inner);
