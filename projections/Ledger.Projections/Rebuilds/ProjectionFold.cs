using System.Reflection;
using JasperFx.Events;
using JasperFx.Events.Aggregation;
using JasperFx.Events.Grouping;
using Marten;
using Ledger.Projections.Reconciliation;
using Marten.Schema;
using Npgsql;
using NpgsqlTypes;
using Weasel.Core;

namespace Ledger.Projections.Rebuilds;

/// <summary>One projection's part of a <see cref="OnePassRebuild"/>: folds pages of events in memory, writes what changed in bulk.</summary>
internal abstract class ProjectionFold
{
    public abstract string Name { get; }

    /// <summary>The document table, schema-qualified.</summary>
    public abstract string Table { get; }

    public abstract Task ApplyAsync(IReadOnlyList<IEvent> events, CancellationToken ct);

    /// <summary>
    /// Whether folding <paramref name="page"/> may read this projection's documents as stored (<see cref="IRebuildSlicing"/>):
    /// the page before must then be written first. A projection that does not say is assumed to, always.
    /// </summary>
    public abstract bool ReadsStoredDocuments(IReadOnlyList<IEvent> page);

    /// <summary>
    /// Takes what the last page changed, serialized with the store's serializer on every core, off the connection: the
    /// fold goes on with the next page while this one is written.
    /// </summary>
    public abstract PageWrite TakePage();

    /// <summary>
    /// Whether the table carries the discrepancy occurrence index's triggers (ADR/0014). Its rows are then written by the
    /// fold, once per page by the triggers' own statement, while the pass's transactions set <see cref="DiscrepancyRows.DeferredSetting"/>.
    /// </summary>
    public abstract Task<bool> IsIndexedAsync(NpgsqlConnection connection, CancellationToken ct);

    /// <summary>Writes a page <see cref="TakePage"/> took on <paramref name="connection"/>, inside the caller's transaction.</summary>
    public abstract Task WriteAsync(NpgsqlConnection connection, PageWrite page, CancellationToken ct);

    public static bool Fits(IDocumentStore store, LedgerProjection projection) =>
        ((StoreOptions)store.Options).Projections.TryFindProjection(projection.Name, out var source) &&
        typeof(JasperFxMultiStreamProjectionBase<,,,>).MakeGenericType(projection.Document, typeof(string), typeof(IDocumentOperations), typeof(IQuerySession))
            .IsInstanceOfType(source);

    public static ProjectionFold For(IDocumentStore store, LedgerProjection projection) =>
        (ProjectionFold)Activator.CreateInstance(typeof(DocumentFold<>).MakeGenericType(projection.Document), store, projection.Name)!;
}

/// <summary>One projection's part of a page, ready to write: the documents to delete first (written on an earlier page, or gone), and the rows to copy.</summary>
internal sealed record PageWrite(string[] Rewritten, (string Id, string Json, object?[] Duplicated)[] Rows);

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

    private readonly IDocumentStore _store;
    private readonly JasperFxMultiStreamProjectionBase<TDoc, string, IDocumentOperations, IQuerySession> _projection;
    private readonly Func<IEvent, bool> _folds;
    private readonly Func<IEvent, bool> _readsStoredDocuments;
    private Dictionary<string, TDoc> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TDoc> _changed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deleted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);
    private readonly Marten.ISerializer _serializer;
    private readonly IReadOnlyList<DuplicatedColumn> Duplicated;
    private readonly string _schema;
    private readonly DbObjectName _tableName;
    private bool? _indexed;

    public DocumentFold(IDocumentStore store, string name)
    {
        _store = store;
        Name = name;
        var mapping = (DocumentMapping)store.Options.FindOrResolveDocumentType(typeof(TDoc));
        _tableName = mapping.TableName;
        _schema = store.Options.DatabaseSchemaName;
        Table = mapping.TableName.QualifiedName;
        _serializer = store.Options.Serializer();
        Duplicated = mapping.DuplicatedFields.Select(f => new DuplicatedColumn(f.ColumnName, f.DbType, document =>
        {
            object? value = document;
            foreach (var member in f.Members)
                value = value is null ? null : member switch
                {
                    PropertyInfo p => p.GetValue(value),
                    FieldInfo field => field.GetValue(value),
                    _ => throw new InvalidOperationException($"{typeof(TDoc).Name}.{f.MemberName}: not a property or field."),
                };
            // Enums as Marten stores them: by name or by number, as the column's type says.
            return value is Enum e ? f.DbType == NpgsqlDbType.Integer ? Convert.ToInt32(e) : e.ToString() : value;
        })).ToList();
        if (!((StoreOptions)store.Options).Projections.TryFindProjection(name, out var source) ||
            source is not JasperFxMultiStreamProjectionBase<TDoc, string, IDocumentOperations, IQuerySession> projection)
            throw new InvalidOperationException($"{name} is not a multi-stream projection of {typeof(TDoc).Name} keyed by string: rebuild it with Marten's daemon.");
        _projection = projection;
        // The daemon's own filter: a page holds only the named types when all of them are concrete (ConcreteEventTypes), else every type.
        var types = projection.IncludedEventTypes.ToHashSet();
        _folds = types.Count == 0 || types.Any(t => t.IsAbstract || t.IsInterface) ? _ => true : e => types.Contains(e.EventType);
        _readsStoredDocuments = projection is IRebuildSlicing slicing ? slicing.ReadsStoredDocuments : _ => true;
    }

    public override bool ReadsStoredDocuments(IReadOnlyList<IEvent> page) => page.Any(e => _folds(e) && _readsStoredDocuments(e));

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

    public override PageWrite TakePage()
    {
        var changed = _changed.ToArray();
        var rows = new (string Id, string Json, object?[] Duplicated)[changed.Length];
        Parallel.For(0, changed.Length, i =>
        {
            var document = changed[i].Value;
            rows[i] = (changed[i].Key, _serializer.ToJson(document), Duplicated.Select(d => d.Value(document)).ToArray());
        });
        // Documents written on an earlier page are deleted and copied in again.
        var rewritten = _changed.Keys.Where(_written.Contains).Concat(_deleted).ToArray();
        _written.ExceptWith(_deleted);
        _deleted.Clear();
        _written.UnionWith(_changed.Keys);
        // Keep what this page touched (a quote's next events are likely on the next page, which is folded while this one
        // is written); the rest was written on earlier pages, committed by then, and is loaded back if needed.
        _held = new Dictionary<string, TDoc>(_changed, StringComparer.Ordinal);
        _changed.Clear();
        return new PageWrite(rewritten, rows);
    }

    public override async Task WriteAsync(NpgsqlConnection connection, PageWrite page, CancellationToken ct)
    {
        // The delete fires no row trigger (they stand aside): the occurrence index's rows of the rewritten go by one statement,
        // and the copy's documents get theirs back by another.
        var indexed = await IsIndexedAsync(connection, ct);
        if (page.Rewritten.Length > 0)
        {
            if (indexed) await ExecuteAsync(connection, DiscrepancyRows.DeleteRowsOf(_schema, _tableName.Name), page.Rewritten, ct);
            await using var delete = new NpgsqlCommand($"delete from {Table} where id = any(@ids)", connection);
            delete.Parameters.AddWithValue("ids", page.Rewritten);
            await delete.ExecuteNonQueryAsync(ct);
        }
        if (page.Rows.Length > 0)
        {
            // The columns Marten's own bulk insert writes (id, JSON, version, .NET type, duplicated fields); the rest keep
            // their defaults (mt_last_modified: the transaction's time).
            var columns = string.Join(", ", ["id", "data", "mt_version", "mt_dotnet_type", .. Duplicated.Select(d => d.Column)]);
            // The connection is in COPY state until the importer is disposed, not merely completed: its own scope.
            await using (var copy = await connection.BeginBinaryImportAsync($"copy {Table} ({columns}) from stdin (format binary)", ct))
            {
                var type = typeof(TDoc).FullName!;
                foreach (var (id, json, duplicated) in page.Rows)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(id, NpgsqlDbType.Varchar, ct);
                    await copy.WriteAsync(json, NpgsqlDbType.Jsonb, ct);
                    await copy.WriteAsync(1L, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(type, NpgsqlDbType.Varchar, ct);
                    for (var i = 0; i < duplicated.Length; i++)
                        if (duplicated[i] is null) await copy.WriteNullAsync(ct);
                        else await copy.WriteAsync(duplicated[i], Duplicated[i].Type, ct);
                }
                await copy.CompleteAsync(ct);
            }
            if (indexed) await ExecuteAsync(connection, DiscrepancyRows.InsertRowsOf(_schema, _tableName), page.Rows.Select(r => r.Id).ToArray(), ct);
        }
    }

    public override async Task<bool> IsIndexedAsync(NpgsqlConnection connection, CancellationToken ct) =>
        _indexed ??= await HasRowTriggersAsync(connection, ct);

    private async Task<bool> HasRowTriggersAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select exists (select from pg_trigger where tgrelid = @table::regclass and tgname = @trigger)", connection);
        command.Parameters.AddWithValue("table", Table);
        command.Parameters.AddWithValue("trigger", DiscrepancyRows.InsertTrigger);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, string[] ids, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("ids", ids);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A duplicated field's column (Marten's <c>Duplicate</c>), and its value read from a document.</summary>
    private sealed record DuplicatedColumn(string Column, NpgsqlDbType Type, Func<TDoc, object?> Value);
}
