using System.Reflection;
using JasperFx.Events;
using JasperFx.Events.Aggregation;
using JasperFx.Events.Grouping;
using Marten;
using Weasel.Core;

namespace Ledger.Projections.Rebuilds;

/// <summary>One projection's part of a <see cref="OnePassRebuild"/>: folds pages of events in memory, writes what changed in bulk.</summary>
internal abstract class ProjectionFold
{
    public abstract string Name { get; }

    /// <summary>The document table, schema-qualified.</summary>
    public abstract string Table { get; }

    public abstract Task ApplyAsync(IReadOnlyList<IEvent> events, CancellationToken ct);

    public abstract Task WriteAsync(CancellationToken ct);

    public static bool Fits(IDocumentStore store, LedgerProjection projection) =>
        ((StoreOptions)store.Options).Projections.TryFindProjection(projection.Name, out var source) &&
        typeof(JasperFxMultiStreamProjectionBase<,,,>).MakeGenericType(projection.Document, typeof(string), typeof(IDocumentOperations), typeof(IQuerySession))
            .IsInstanceOfType(source);

    public static ProjectionFold For(IDocumentStore store, LedgerProjection projection) =>
        (ProjectionFold)Activator.CreateInstance(typeof(DocumentFold<>).MakeGenericType(projection.Document), store, projection.Name)!;
}

/// <summary>
/// Folds with the projection as the store registered it: its own slicer (identities and custom groupers, which query the
/// store as they do in the daemon and see every earlier page written) and its own <c>Evolve</c>. Nothing of the fold is
/// written twice. Holds the documents the last page touched; one written earlier and touched again is loaded back.
/// </summary>
internal sealed class DocumentFold<TDoc> : ProjectionFold where TDoc : class
{
    private static readonly Func<TDoc, string> IdOf = typeof(TDoc).GetProperty("Id", BindingFlags.Public | BindingFlags.Instance)?.GetMethod is { } getter
        ? getter.CreateDelegate<Func<TDoc, string>>()
        : throw new InvalidOperationException($"{typeof(TDoc).Name} has no string Id.");

    /// <summary>Documents per COPY command within one bulk insert (a page's documents are one transaction either way).</summary>
    private const int DocumentsPerCopy = 10_000;

    private readonly IDocumentStore _store;
    private readonly JasperFxMultiStreamProjectionBase<TDoc, string, IDocumentOperations, IQuerySession> _projection;
    private readonly Func<IEvent, bool> _folds;
    private Dictionary<string, TDoc> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TDoc> _changed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deleted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    public DocumentFold(IDocumentStore store, string name)
    {
        _store = store;
        Name = name;
        Table = store.Options.FindOrResolveDocumentType(typeof(TDoc)).TableName.QualifiedName;
        if (!((StoreOptions)store.Options).Projections.TryFindProjection(name, out var source) ||
            source is not JasperFxMultiStreamProjectionBase<TDoc, string, IDocumentOperations, IQuerySession> projection)
            throw new InvalidOperationException($"{name} is not a multi-stream projection of {typeof(TDoc).Name} keyed by string: rebuild it with Marten's daemon.");
        _projection = projection;
        // The daemon's own filter: a page holds only the named types when all of them are concrete (ConcreteEventTypes), else every type.
        var types = projection.IncludedEventTypes.ToHashSet();
        _folds = types.Count == 0 || types.Any(t => t.IsAbstract || t.IsInterface) ? _ => true : e => types.Contains(e.EventType);
    }

    public override string Name { get; }

    public override string Table { get; }

    public override async Task ApplyAsync(IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        var mine = events.Where(_folds).ToList();
        if (mine.Count == 0) return;
        await using var session = _store.QuerySession();
        var groups = await _projection.BuildSlicer(session).SliceAsync(mine);
        foreach (var group in groups.OfType<SliceGroup<TDoc, string>>())
        {
            await _projection.EnrichEventsAsync(group, session, ct);
            var slices = group.Slices.ToList();
            var reload = slices.Select(s => s.Id).Where(id => !_held.ContainsKey(id) && _written.Contains(id)).ToArray();
            if (reload.Length > 0)
                foreach (var stored in await session.LoadManyAsync<TDoc>(ct, reload))
                    _held[IdOf(stored)] = stored;

            foreach (var slice in slices)
            {
                _held.TryGetValue(slice.Id, out var document);
                var applied = slice.Events();
                foreach (var e in applied) document = _projection.Evolve(document!, slice.Id, e);
                if (document is null)
                {
                    _held.Remove(slice.Id);
                    _changed.Remove(slice.Id);
                    if (_written.Contains(slice.Id)) _deleted.Add(slice.Id);
                    continue;
                }
                if (applied.Count > 0) document = _projection.ApplyMetadata(document, applied[^1]);
                _held[slice.Id] = document;
                _changed[slice.Id] = document;
                _deleted.Remove(slice.Id);
            }
        }
    }

    public override async Task WriteAsync(CancellationToken ct)
    {
        // Documents written on an earlier page are deleted and copied in again: a plain COPY (no temporary table, which a
        // pooled connection that keeps its session, NoResetOnClose, would still hold on the next page). COPY fires the row
        // triggers, so the occurrence index follows: the delete removes a document's rows, the insert adds them back.
        var rewritten = _changed.Keys.Where(_written.Contains).Concat(_deleted).ToArray();
        if (rewritten.Length > 0)
        {
            await using var connection = _store.Storage.Database.CreateConnection();
            await connection.OpenAsync(ct);
            await using var delete = new Npgsql.NpgsqlCommand($"delete from {Table} where id = any(@ids)", connection);
            delete.Parameters.AddWithValue("ids", rewritten);
            await delete.ExecuteNonQueryAsync(ct);
            _written.ExceptWith(_deleted);
            _deleted.Clear();
        }
        if (_changed.Count > 0)
            await _store.BulkInsertAsync(_changed.Values.ToList(), BulkInsertMode.InsertsOnly, batchSize: DocumentsPerCopy, ct);
        _written.UnionWith(_changed.Keys);
        // Keep what this page touched (a quote's next events are likely on the next page); the rest is loaded back if needed.
        _held = new Dictionary<string, TDoc>(_changed, StringComparer.Ordinal);
        _changed.Clear();
    }
}
