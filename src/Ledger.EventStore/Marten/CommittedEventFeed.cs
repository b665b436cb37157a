using System.Data;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using JasperFx.Events;
using Npgsql;

namespace Ledger.EventStore.Marten;

/// <summary>
/// Events in <c>seq_id</c> order, never past a gap that may still fill. <c>seq_id</c> is taken at insert and
/// commits are not in that order, so a reader can see 7 before 6 has committed (or before 6 turns out to be
/// rolled back). Rule (ADR/0005): every writer takes its transaction id before a sequence value
/// (<see cref="MartenBackend"/> does), so whoever holds a value below a visible event already had its transaction id
/// when the reader took its snapshot. Right after the snapshot the reader lists every transaction of the database that
/// holds an id (<c>pg_stat_activity.backend_xid</c>; the snapshot's own list, <c>pg_snapshot_xip</c>, leaves out running
/// transactions whose id is above every finished one, and passing a gap on it skipped events under load: ADR/0017).
/// A gap is passed on a later read, once the transactions on that list have all ended; until then the reader hands out
/// only the events before the gap. A subscription polls for new events, and reads at once when this process commits some
/// (<see cref="CommitSignal"/>). The subscriptions of one process follow the same log (the reaction processor, the CRM change
/// recorder): what one of them read is shared with the others (<see cref="RecentEvents"/>), so that one read of the
/// database serves them all.
/// </summary>
internal sealed class CommittedEventFeed(NpgsqlDataSource dataSource, string schema, MartenBackendOptions options, CommitSignal commits)
{
    private readonly RecentEvents _recent = new(options.SubscriptionPageSize * 8);

    /// <summary>Reads of the database by this feed's subscriptions, and pages they took from what another one had read.</summary>
    public FeedReads Reads { get; } = new();

    public async IAsyncEnumerable<RecordedEvent> ReadAsync(
        GlobalPosition after, int maxCount, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        var cursor = new Cursor((long)after.Value);
        var deadline = DateTime.UtcNow + options.GapWait;
        var remaining = maxCount;
        while (remaining > 0)
        {
            var page = await ReadSafePageAsync(cursor, remaining, deadline, ct);
            foreach (var e in page.Events) yield return e;
            remaining -= page.Events.Count;
            if (page.Exhausted) yield break;
        }
    }

    public async IAsyncEnumerable<RecordedEvent> SubscribeAsync(
        GlobalPosition after, [EnumeratorCancellation] CancellationToken ct)
    {
        var cursor = new Cursor((long)after.Value);
        var delay = TimeSpan.Zero;
        Task? committed = null; // set while the subscription waits for new events rather than for the database
        while (!ct.IsCancellationRequested)
        {
            Page page;
            try
            {
                var wokenByCommit = delay > TimeSpan.Zero && await WaitAsync(delay, committed, ct);
                var freshAfter = wokenByCommit ? long.MinValue : Stopwatch.GetTimestamp();
                committed = commits.Next; // before the read: a commit while it runs ends the next wait at once
                page = await ReadSharedPageAsync(cursor, freshAfter, ct);
                delay = TimeSpan.Zero;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                yield break;
            }
            catch (Exception e) when (DatabaseErrors.IsUnavailable(e))
            {
                // The cursor only moves past events already handed out, so resuming from it neither skips nor repeats.
                delay = delay == TimeSpan.Zero
                    ? TimeSpan.FromMilliseconds(100)
                    : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxReconnectDelay.Ticks));
                committed = null;
                continue;
            }

            foreach (var e in page.Events) yield return e;
            if (page.Exhausted) delay = options.PollInterval;
        }
    }

    /// <summary>Waits out <paramref name="delay"/>, or less when this process commits events first (<paramref name="committed"/>): then true.</summary>
    private static async Task<bool> WaitAsync(TimeSpan delay, Task? committed, CancellationToken ct)
    {
        if (committed is null)
        {
            await Task.Delay(delay, ct);
            return false;
        }
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var first = await Task.WhenAny(committed, Task.Delay(delay, timer.Token));
        await timer.CancelAsync();
        ct.ThrowIfCancellationRequested();
        return first == committed;
    }

    /// <summary>
    /// A subscription's next page: from what another subscription of this feed read, when it covers the cursor; else from
    /// the database, after waiting out a read another subscription has in flight from no later than the cursor (the two are
    /// woken by the same commit), whose events it then takes. What it reads itself it shares.
    /// </summary>
    /// <param name="freshAfter">How recent a read must have started to tell this subscription there is nothing more: any since
    /// the commit that woke it (<see cref="long.MinValue"/>), else from now.</param>
    private async Task<Page> ReadSharedPageAsync(Cursor cursor, long freshAfter, CancellationToken ct)
    {
        if (_recent.InFlightFrom(cursor.Position) is { } inFlight) await inFlight.WaitAsync(ct);
        if (_recent.TryTake(cursor.Position, options.SubscriptionPageSize, freshAfter) is { } shared)
        {
            cursor.Position = shared.Through;
            Reads.CountTake();
            return new Page(shared.Events, shared.Exhausted);
        }
        var from = cursor.Position;
        // Taken before the read, like a subscription's: if it has not completed when another subscription takes this page,
        // this process committed nothing since, and "nothing more" is as true for it as it was for this read.
        var signal = commits.Next;
        var startedAt = Stopwatch.GetTimestamp();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registered = _recent.Starting(from, done.Task);
        try
        {
            var page = await ReadSafePageAsync(cursor, options.SubscriptionPageSize, DateTime.UtcNow + options.GapWait, ct);
            Reads.CountDatabaseRead();
            _recent.Add(from, cursor.Position, page.Events, page.Exhausted ? (signal, startedAt) : null);
            return page;
        }
        finally
        {
            if (registered) _recent.Ended(done.Task);
            done.TrySetResult();
        }
    }

    /// <summary>
    /// Up to <paramref name="maxRows"/> rows after the cursor, stopping at the first gap that is not yet known
    /// to be final. Advances the cursor past every row read, Marten's tombstones (gap fillers) included.
    /// </summary>
    private async Task<Page> ReadSafePageAsync(Cursor cursor, int maxRows, DateTime deadline, CancellationToken ct)
    {
        var events = new List<RecordedEvent>();
        while (events.Count < maxRows)
        {
            var requested = maxRows - events.Count;
            var (rows, inProgress) = await ReadSnapshotAsync(cursor.Position, requested, ct);
            if (rows.Count == 0) return new Page(events, Exhausted: true);

            var blocked = false;
            foreach (var (sequence, e) in rows)
            {
                var gapIsFinal = sequence == cursor.Position + 1 || sequence - 1 <= cursor.FinalThrough;
                if (!gapIsFinal)
                {
                    blocked = true;
                    break;
                }
                cursor.Position = sequence;
                if (e.StreamId != Tombstone.StreamKey) events.Add(e);
            }

            if (!blocked)
            {
                if (rows.Count < requested) return new Page(events, Exhausted: true);
                continue;
            }

            // Hand out what is safe before waiting; the caller comes back for the rest.
            if (events.Count > 0) return new Page(events, Exhausted: false);
            // Whoever may fill the gap is among the transactions listed right after this snapshot, or ended before the list was
            // taken; once the listed ones have ended too, every value below the snapshot's last visible row is visible to a
            // new snapshot or gone for good. So the gap is passed on the next read, never on this one (an empty list included:
            // a holder that ended between the snapshot and the list is in neither).
            if (!await WaitForEndAsync(inProgress, deadline, ct)) return new Page(events, Exhausted: true);
            cursor.FinalThrough = Math.Max(cursor.FinalThrough, rows[^1].Sequence);
        }
        return new Page(events, Exhausted: false);
    }

    private async Task<(List<(long Sequence, RecordedEvent Event)> Rows, string[] InProgress)> ReadSnapshotAsync(
        long after, int count, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // Repeatable read: the rows and the list of in-progress transactions come from one snapshot.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var rows = new List<(long, RecordedEvent)>();
        await using (var read = new NpgsqlCommand(
                         $"{EventRows.Select(schema)} where seq_id > @after order by seq_id limit @count", connection, transaction))
        {
            read.Parameters.AddWithValue("after", after);
            read.Parameters.AddWithValue("count", count);
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) rows.Add(EventRows.Read(reader));
        }
        // Every transaction of this database holding an id now, after the snapshot: not the snapshot's own in-progress list,
        // which leaves out a running transaction whose id is above every finished one (it is invisible, yet not listed).
        string[] inProgress;
        await using (var running = new NpgsqlCommand(
                         "select array(select backend_xid::text from pg_stat_activity where backend_xid is not null and datname = current_database())",
                         connection, transaction))
            inProgress = (string[])(await running.ExecuteScalarAsync(ct))!;
        await transaction.CommitAsync(ct);
        return (rows, inProgress);
    }

    private async Task<bool> WaitForEndAsync(string[] transactionIds, DateTime deadline, CancellationToken ct)
    {
        if (transactionIds.Length == 0) return true;
        while (true)
        {
            // Ended as the process array sees it, not as the commit log does: a transaction is marked committed there a moment
            // before it leaves the running transactions, and a snapshot taken in that moment still misses its rows.
            await using (var command = dataSource.CreateCommand(
                             "select count(*) from pg_stat_activity where backend_xid = any(@ids::text[]::xid[])"))
            {
                command.Parameters.AddWithValue("ids", transactionIds);
                if ((long)(await command.ExecuteScalarAsync(ct))! == 0) return true;
            }
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
        }
    }

    /// <summary>Where a reader is: the last row handed out, and how far every gap is known to be final.</summary>
    private sealed class Cursor(long position)
    {
        public long Position { get; set; } = position;
        public long FinalThrough { get; set; }
    }

    private sealed record Page(List<RecordedEvent> Events, bool Exhausted);

    /// <summary>
    /// The latest run of the log some subscription of this feed read and handed out: every position in (from, through] is
    /// one of its events or a gap known to be final, so handing them out again from memory is what reading them again would
    /// give. Bounded to the newest <paramref name="capacity"/> events; a run that does not join the one kept replaces it if
    /// it ends later. Also the read in flight, for a subscription woken by the same commit to wait for rather than repeat.
    /// </summary>
    private sealed class RecentEvents(int capacity)
    {
        private readonly Lock _lock = new();
        private readonly List<RecordedEvent> _events = [];
        private bool _known;
        private long _from, _through;
        /// <summary>The read that ended the run found nothing more: the commit signal and the instant taken before it; else null.</summary>
        private (Task Signal, long StartedAt)? _endedExhausted;
        private (long From, Task Done)? _inFlight;

        public Task? InFlightFrom(long position)
        {
            lock (_lock) return _inFlight is { } read && read.From <= position ? read.Done : null;
        }

        /// <summary>Registers a read from <paramref name="from"/> unless another is in flight.</summary>
        public bool Starting(long from, Task done)
        {
            lock (_lock)
            {
                if (_inFlight is not null) return false;
                _inFlight = (from, done);
                return true;
            }
        }

        public void Ended(Task done)
        {
            lock (_lock)
                if (_inFlight?.Done == done) _inFlight = null;
        }

        /// <summary>
        /// Up to <paramref name="max"/> events after <paramref name="position"/>, if the run covers it and has any after it, or
        /// is known to end there for a reader that wants an answer no older than <paramref name="freshAfter"/>: the read that
        /// ended it found nothing more, started no earlier, and this process has committed nothing since it started.
        /// </summary>
        public (List<RecordedEvent> Events, long Through, bool Exhausted)? TryTake(long position, int max, long freshAfter)
        {
            lock (_lock)
            {
                if (!_known || position < _from || position > _through) return null;
                var first = FirstAfter(position);
                var knownToEnd = _endedExhausted is { } ended && !ended.Signal.IsCompleted && ended.StartedAt >= freshAfter;
                if (first == _events.Count && !knownToEnd) return null;
                var taken = _events.GetRange(first, Math.Min(max, _events.Count - first));
                var all = first + taken.Count == _events.Count;
                return (taken, all ? _through : (long)taken[^1].Position.Value, all && knownToEnd);
            }
        }

        /// <summary>A subscription read (<paramref name="from"/>, <paramref name="through"/>] and handed out <paramref name="events"/>.</summary>
        public void Add(long from, long through, IReadOnlyList<RecordedEvent> events, (Task Signal, long StartedAt)? endedExhausted)
        {
            lock (_lock)
            {
                if (_known && through < _through) return; // older than the run
                if (_known && from >= _from && from <= _through)
                    _events.AddRange(events.Where(e => (long)e.Position.Value > _through)); // joins the run: what is new
                else
                {
                    _events.Clear();
                    _events.AddRange(events);
                    _from = from;
                    _known = true;
                }
                _through = through;
                _endedExhausted = endedExhausted;
                if (_events.Count > capacity)
                {
                    var dropped = _events.Count - capacity;
                    _from = (long)_events[dropped - 1].Position.Value;
                    _events.RemoveRange(0, dropped);
                }
            }
        }

        private int FirstAfter(long position)
        {
            int low = 0, high = _events.Count;
            while (low < high)
            {
                var middle = (low + high) / 2;
                if ((long)_events[middle].Position.Value <= position) low = middle + 1;
                else high = middle;
            }
            return low;
        }
    }
}

/// <summary>How a feed's subscriptions got their pages: read from the database, or taken from what another one had read.</summary>
internal sealed class FeedReads
{
    private long _fromDatabase, _shared;

    public long FromDatabase => Interlocked.Read(ref _fromDatabase);

    public long Taken => Interlocked.Read(ref _shared);

    internal void CountDatabaseRead() => Interlocked.Increment(ref _fromDatabase);

    internal void CountTake() => Interlocked.Increment(ref _shared);
}
