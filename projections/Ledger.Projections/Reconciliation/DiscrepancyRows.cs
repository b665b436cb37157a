using System.Data.Common;
using Marten;
using Weasel.Core;
using Weasel.Core.Migrations;
using Ledger.EventStore.Marten;
using Weasel.Postgresql;
using Npgsql;
using JasperFx.Events.Grouping;

namespace Ledger.Projections.Reconciliation;

/// <summary>
/// An index of the discrepancy occurrences kept in the views' JSON (ADR/0014): one narrow row per occurrence (and one more
/// per CRM it names), so finance's list is filtered, ordered, counted and paged by B-tree indexes instead of unnesting the
/// JSON of every view that has one. Derived from the stored documents alone, in the transaction that writes them: by the
/// daemon's batch once per batch (<see cref="KeptByBatch{TView}"/>), by the one-pass rebuild once per page, and by row
/// triggers on the view tables for every other write (a damaged view put right, a hand edit, a bulk load), which stand
/// aside while the first two keep it (<see cref="DeferredSetting"/>). Created, and filled from the views already stored,
/// by Marten's schema migration after the view tables.
/// </summary>
/// <remarks>
/// Columns: <c>source</c> the view table's name, <c>view_id</c> and <c>ordinal</c> where the occurrence's JSON is
/// (<c>data-&gt;'discrepancies'-&gt;ordinal</c>); <c>crm</c> '' on the row every occurrence has, or one CRM it names (so a
/// CRM's list is an equality on the same index); the status as <see cref="Discrepancy.Status"/> derives it; the instants
/// the SLA rules need (<c>opened_at</c>, <c>closed_at</c>, <c>ended_at</c>: resolved, else closed).
/// </remarks>
public sealed class DiscrepancyRows : FeatureSchemaBase
{
    public const string TableName = "ledger_discrepancy_rows";
    /// <summary>v2: the row triggers stand aside while <see cref="DeferredSetting"/> is on (a rebuild's page, a daemon's batch).</summary>
    private const string Version = "v2";
    private static readonly string[] Replaced = ["v1"];

    /// <summary>
    /// A transaction's setting (<c>set local</c>) under which the row triggers do nothing: the one-pass rebuild then keeps the
    /// index itself with <see cref="DeleteRowsOf"/> and <see cref="InsertRowsOf"/> once per page, and the daemon with
    /// <see cref="KeepRowsOf"/> once per batch; they give exactly the rows the triggers would (the same select), at one
    /// statement instead of a PL/pgSQL call per view.
    /// </summary>
    public const string DeferredSetting = "ledger.discrepancy_rows_deferred";

    /// <summary>The name of the insert trigger on a view table: a table that has it is indexed.</summary>
    public const string InsertTrigger = $"ledger_discrepancy_rows_insert_{Version}";

    private const string Kept = $"current_setting('{DeferredSetting}', true) is distinct from 'on'";
    private const string FunctionName = $"ledger_discrepancy_rows_{Version}";
    private const string TruncateFunctionName = $"ledger_discrepancy_rows_truncated_{Version}";
    private static readonly string[] Operations = ["insert", "update", "delete", "truncate"];

    /// <summary>What each index carries besides its key, so a count or a page reads the index only.</summary>
    private const string Carried = "include (source, view_id, ordinal, closed_at, ended_at)";

    private readonly StoreOptions _options;
    private readonly IReadOnlyList<Type> _views;

    /// <param name="views">The document types whose JSON has a <c>discrepancies</c> array.</param>
    public DiscrepancyRows(StoreOptions options, params Type[] views) : base("LedgerDiscrepancyRows", options.Advanced.Migrator)
    {
        _options = options;
        _views = views;
    }

    public override Type StorageType => typeof(DiscrepancyRows);

    /// <summary>The view tables exist before their triggers.</summary>
    public override IEnumerable<Type> DependentTypes() => _views;

    public static string Table(string schema) => $"{schema}.{TableName}";

    /// <summary>
    /// The indexes finance's list reads (qualified): nothing that writes the rows reads by them, so a bulk load (the one-pass
    /// rebuild) may drop them (<see cref="DropListIndexes"/>) and build them once after (<see cref="CreateListIndexes"/>).
    /// </summary>
    public static IReadOnlyList<string> ListIndexes(string schema) => [$"{schema}.{TableName}_list", $"{schema}.{TableName}_owner"];

    /// <summary>Creates the list indexes that are missing: part of the schema's creation, and the end of a bulk load.</summary>
    public static string CreateListIndexes(string schema) => $"""
        create index if not exists {TableName}_list on {Table(schema)} (crm, status, rule, opened_at, id) {Carried};
        create index if not exists {TableName}_owner on {Table(schema)} (crm, owner, status, rule, opened_at, id) {Carried};
        """;

    public static string DropListIndexes(string schema) => string.Join(" ", ListIndexes(schema).Select(i => $"drop index if exists {i};"));

    private static string Table(StoreOptions options) => Table(options.DatabaseSchemaName);

    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        yield return new RowsObject(this);
    }

    private static string Trigger(string operation) => $"ledger_discrepancy_rows_{operation}_{Version}";

    private static IEnumerable<string> ReplacedTriggers => Replaced.SelectMany(r => Operations.Select(o => $"ledger_discrepancy_rows_{o}_{r}"));

    private string InsertRows(string source, string from) => InsertRows(Table(_options), source, from);

    /// <summary>Deletes the rows of the views <c>@ids</c> of <paramref name="viewTable"/> (its name, no schema), as the delete trigger does.</summary>
    public static string DeleteRowsOf(string schema, string viewTable) => $"delete from {Table(schema)} where source = '{viewTable}' and view_id = any(@ids)";

    /// <summary>Inserts the rows of the views <c>@ids</c> of <paramref name="viewTable"/> (qualified), as the insert trigger does.</summary>
    public static string InsertRowsOf(string schema, DbObjectName viewTable) =>
        InsertRows(Table(schema), $"'{viewTable.Name}'", $"(select id, data from {viewTable.QualifiedName} where id = any(@ids)) as v");

    /// <summary>The rows of the views <paramref name="from"/> yields as <c>v</c> (a view table, or <c>new</c> in the trigger).</summary>
    private static string InsertRows(string table, string source, string from) => $"insert into {table} ({Columns}) {Rows(source, from)}";

    private const string Columns = "source, view_id, ordinal, crm, id, rule, owner, status, opened_at, closed_at, ended_at";

    /// <summary>The occurrence rows (<see cref="Columns"/>) of the views <paramref name="from"/> yields as <c>v</c>.</summary>
    private static string Rows(string source, string from) => $$"""
        select {{source}}::text as source, v.id::text as view_id, (o.ordinal - 1)::int as ordinal, c.crm, o.d->>'id' as id, o.d->>'rule' as rule,
               coalesce(o.d->>'owner', '') as owner,
               case when jsonb_typeof(o.d->'resolvedBy') = 'object' then 'resolved'
                    when jsonb_typeof(o.d->'closedBy') = 'object' then 'closed'
                    when jsonb_typeof(o.d->'acknowledgedBy') = 'object' then 'acknowledged'
                    else 'open' end as status,
               (o.d->'openedBy'->>'at')::timestamptz as opened_at,
               case when jsonb_typeof(o.d->'closedBy') = 'object' then (o.d->'closedBy'->>'at')::timestamptz end as closed_at,
               coalesce(case when jsonb_typeof(o.d->'resolvedBy') = 'object' then (o.d->'resolvedBy'->>'at')::timestamptz end,
                        case when jsonb_typeof(o.d->'closedBy') = 'object' then (o.d->'closedBy'->>'at')::timestamptz end) as ended_at
        from {{from}}
        cross join lateral jsonb_array_elements(case when jsonb_typeof(v.data->'discrepancies') = 'array' then v.data->'discrepancies' else '[]' end) with ordinality as o(d, ordinal)
        cross join lateral (
          select '' as crm
          union
          select jsonb_array_elements_text(case when jsonb_typeof(o.d->'crms') = 'array' then o.d->'crms' else '[]' end)) as c
        where jsonb_typeof(v.data->'discrepancies') = 'array'
        """;

    /// <summary>
    /// Brings the rows of the views <c>@ids</c> of <paramref name="viewTable"/> to what the triggers would leave, by
    /// difference: a row whose occurrence did not change is neither deleted nor inserted again (a model's write usually
    /// changes one occurrence of several). The same rows as <see cref="DeleteRowsOf"/> then <see cref="InsertRowsOf"/>.
    /// The insert's check reads the rows as they were before the delete; it deletes only rows no fresh row equals. Both
    /// name the views' rows by <c>source</c> and <c>@ids</c>, so they read the view index, not every row (the planner
    /// cannot tell how few rows <c>fresh</c> holds).
    /// </summary>
    public static string KeepRowsOf(string schema, DbObjectName viewTable) => $$"""
        with fresh as materialized ({{Rows($"'{viewTable.Name}'", $"(select id, data from {viewTable.QualifiedName} where id = any(@ids)) as v")}}),
        gone as (
          delete from {{Table(schema)}} r where r.source = '{{viewTable.Name}}' and r.view_id = any(@ids)
            and not exists (select from fresh f where {{SameRow}}))
        insert into {{Table(schema)}} ({{Columns}})
        select f.* from fresh f
        where not exists (select from {{Table(schema)}} r where r.source = '{{viewTable.Name}}' and r.view_id = any(@ids) and {{SameRow}})
        """;

    private const string SameRow = "f.view_id = r.view_id and f.ordinal = r.ordinal and f.crm = r.crm and "
        + "(f.id, f.rule, f.owner, f.status, f.opened_at, f.closed_at, f.ended_at) is not distinct from (r.id, r.rule, r.owner, r.status, r.opened_at, r.closed_at, r.ended_at)";

    /// <summary>
    /// Keeps the rows of the views a projection daemon's batch writes once for the batch, in its transaction, instead of
    /// a trigger call per view (ADR/0015): the batch's transaction sets <see cref="DeferredSetting"/> before its first write,
    /// and <see cref="KeepRowsOf"/> runs for the written ids after the last, before the commit. Called by the projection
    /// before the batch applies its slices; outside a daemon's batch (a live aggregation) it does nothing and the triggers keep the rows.
    /// </summary>
    public static void KeptByBatch<TView>(SliceGroup<TView, string> group, IQuerySession session)
    {
        var ids = group.Slices.Select(s => s.Id).ToArray();
        if (ids.Length == 0 || session is not (IDocumentOperations operations and ITransactionParticipantRegistrar registrar)) return;
        var viewTable = ((IReadOnlyStoreOptions)session.DocumentStore.Options).FindOrResolveDocumentType(typeof(TView)).TableName;
        // A statement with no result: the batch reads each operation's results in turn.
        operations.QueueSqlCommand($"set local {DeferredSetting} = 'on'");
        registrar.AddTransactionParticipant(new BatchRows(session.DocumentStore.Options.DatabaseSchemaName, viewTable, ids));
    }

    private sealed class BatchRows(string schema, DbObjectName viewTable, string[] ids) : ITransactionParticipant
    {
        public async Task BeforeCommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken token)
        {
            // The planner's guess for a JSON array's elements (100 a view) makes the statement look costly enough to JIT,
            // which costs far more than the statement (about 0.7 s a call when tried in the trigger).
            await using var command = new NpgsqlCommand($"set local jit = off; {KeepRowsOf(schema, viewTable)}", connection, transaction);
            command.Parameters.AddWithValue("ids", ids);
            await command.ExecuteNonQueryAsync(token);
        }
    }

    private sealed class RowsObject(DiscrepancyRows rows)
        : CreatedWhenMissing(new PostgresqlObjectName(rows._options.DatabaseSchemaName, TableName, SchemaUtils.IdentifierUsage.General))
    {
        private string Schema => rows._options.DatabaseSchemaName;

        public override void WriteCreateStatement(Migrator migrator, TextWriter writer)
        {
            var table = Table(rows._options);
            writer.WriteLine($$"""
                create table if not exists {{table}} (
                  source text not null, view_id text not null, ordinal int not null, crm text not null,
                  id text collate "C" not null, rule text not null, owner text not null, status text not null,
                  opened_at timestamptz not null, closed_at timestamptz, ended_at timestamptz);
                {{CreateListIndexes(Schema)}}
                create index if not exists {{TableName}}_view on {{table}} (source, view_id);
                create or replace function {{Schema}}.{{FunctionName}}() returns trigger language plpgsql as $rows$
                begin
                  if tg_op in ('UPDATE', 'DELETE') then
                    delete from {{table}} where source = tg_table_name and view_id = old.id;
                  end if;
                  if tg_op in ('INSERT', 'UPDATE') then
                    {{rows.InsertRows("tg_table_name", "(select new.id as id, new.data as data) as v")}};
                  end if;
                  return null;
                end
                $rows$;
                create or replace function {{Schema}}.{{TruncateFunctionName}}() returns trigger language plpgsql as $rows$
                begin
                  delete from {{table}} where source = tg_table_name;
                  return null;
                end
                $rows$;
                """);
            // A view that no longer keeps discrepancies (quote-view before ADR/0029) loses its triggers and its rows; every
            // table loses the triggers of a replaced version (v1's fire whatever the deferred setting says), before their functions go.
            var viewTables = string.Join(", ", rows._views.Select(v => $"'{((IReadOnlyStoreOptions)rows._options).FindOrResolveDocumentType(v).TableName.Name}'"));
            var triggers = string.Join(", ", Operations.Select(o => $"'{Trigger(o)}'"));
            var replacedTriggers = string.Join(", ", ReplacedTriggers.Select(t => $"'{t}'"));
            writer.WriteLine($$"""
                do $stale$
                declare t record;
                begin
                  for t in select tg.tgname, c.relname from pg_trigger tg join pg_class c on c.oid = tg.tgrelid join pg_namespace n on n.oid = c.relnamespace
                           where n.nspname = '{{Schema}}' and (tg.tgname in ({{replacedTriggers}}) or (tg.tgname in ({{triggers}}) and c.relname not in ({{viewTables}}))) loop
                    execute format('drop trigger %I on %I.%I', t.tgname, '{{Schema}}', t.relname);
                  end loop;
                end
                $stale$;
                delete from {{table}} where source not in ({{viewTables}});
                """);
            foreach (var view in rows._views)
            {
                var viewTable = ((IReadOnlyStoreOptions)rows._options).FindOrResolveDocumentType(view).TableName;
                writer.WriteLine($$"""
                    drop trigger if exists {{Trigger("insert")}} on {{viewTable.QualifiedName}};
                    create trigger {{Trigger("insert")}} after insert on {{viewTable.QualifiedName}} for each row
                      when ({{Kept}} and jsonb_typeof(new.data->'discrepancies') = 'array' and new.data->'discrepancies' <> '[]'::jsonb)
                      execute function {{Schema}}.{{FunctionName}}();
                    drop trigger if exists {{Trigger("update")}} on {{viewTable.QualifiedName}};
                    create trigger {{Trigger("update")}} after update on {{viewTable.QualifiedName}} for each row
                      when ({{Kept}} and (old.data->'discrepancies' is distinct from new.data->'discrepancies' or old.id is distinct from new.id))
                      execute function {{Schema}}.{{FunctionName}}();
                    drop trigger if exists {{Trigger("delete")}} on {{viewTable.QualifiedName}};
                    create trigger {{Trigger("delete")}} after delete on {{viewTable.QualifiedName}} for each row
                      when ({{Kept}} and jsonb_typeof(old.data->'discrepancies') = 'array' and old.data->'discrepancies' <> '[]'::jsonb)
                      execute function {{Schema}}.{{FunctionName}}();
                    drop trigger if exists {{Trigger("truncate")}} on {{viewTable.QualifiedName}};
                    create trigger {{Trigger("truncate")}} after truncate on {{viewTable.QualifiedName}} for each statement
                      execute function {{Schema}}.{{TruncateFunctionName}}();
                    delete from {{table}} where source = '{{viewTable.Name}}';
                    {{rows.InsertRows($"'{viewTable.Name}'", $"{viewTable.QualifiedName} as v")}};
                    """);
            }
            foreach (var replaced in Replaced)
                writer.WriteLine($"drop function if exists {Schema}.ledger_discrepancy_rows_{replaced}(); drop function if exists {Schema}.ledger_discrepancy_rows_truncated_{replaced}();");
        }

        public override void WriteDropStatement(Migrator rules, TextWriter writer)
        {
            foreach (var view in rows._views)
                foreach (var operation in Operations)
                    writer.WriteLine($"drop trigger if exists {Trigger(operation)} on {((IReadOnlyStoreOptions)rows._options).FindOrResolveDocumentType(view).TableName.QualifiedName};");
            writer.WriteLine($"drop function if exists {Schema}.{FunctionName}(); drop function if exists {Schema}.{TruncateFunctionName}(); drop table if exists {Table(rows._options)};");
        }

        public override void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder)
        {
            // Complete when the table's three indexes and the four triggers on each view table exist (a trigger of this version
            // on a table that is no longer a view makes the count differ), and no trigger of a replaced version is left.
            builder.Append("select (select count(*) from pg_indexes where schemaname = ");
            builder.AppendParameter(Schema);
            builder.Append(" and tablename = ");
            builder.AppendParameter(TableName);
            builder.Append(") + (select count(*) from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = ");
            builder.AppendParameter(Schema);
            builder.Append(" and t.tgname = any(");
            builder.AppendParameter(Operations.Select(Trigger).ToArray());
            builder.Append(")), (select count(*) from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace where n.nspname = ");
            builder.AppendParameter(Schema);
            builder.Append(" and t.tgname = any(");
            builder.AppendParameter(ReplacedTriggers.ToArray());
            builder.Append("));");
        }

        protected override bool IsComplete(DbDataReader row) => row.GetInt64(0) == 3 + Operations.Length * rows._views.Count && row.GetInt64(1) == 0;
    }
}
