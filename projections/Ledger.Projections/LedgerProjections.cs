using JasperFx.Events.Projections;
using Ledger.Projections.Approvals;
using Ledger.Projections.Contracts;
using Ledger.Projections.Customers;
using Ledger.Projections.Quotes;
using Ledger.Projections.Reconciliation;
using Marten;

namespace Ledger.Projections;

/// <summary>
/// The read models, registered one way for the API host, the CLI, the benchmarks and the tests. All run in Marten's
/// async daemon (ADR/0014): commands never wait for a view, and a view can always be rebuilt from the event tables.
/// </summary>
public static class LedgerProjections
{
    /// <summary>
    /// Every read model, once: its name, the document it writes, and its registration. Whatever reads "all projections"
    /// (the API's /projections, rebuilds, the rebuild-equals-live tests) reads this list, so a new one is covered by adding it here.
    /// </summary>
    public static readonly IReadOnlyList<LedgerProjection> All =
    [
        new(QuoteViewProjection.ProjectionName, typeof(QuoteView), () => new QuoteViewProjection()),
        new(QuoteReconciliationProjection.ProjectionName, typeof(QuoteReconciliation), () => new QuoteReconciliationProjection()),
        new(ApprovalQueueProjection.ProjectionName, typeof(ApprovalQueueItem), () => new ApprovalQueueProjection()),
        new(CustomerMatchProjection.ProjectionName, typeof(CustomerMatchView), () => new CustomerMatchProjection()),
        new(ContractViewProjection.ProjectionName, typeof(ContractView), () => new ContractViewProjection()),
        new(ContractReconciliationProjection.ProjectionName, typeof(ContractReconciliation), () => new ContractReconciliationProjection()),
    ];

    public static readonly IReadOnlyList<string> Names = All.Select(p => p.Name).ToList();

    /// <param name="daemon">How the daemon pages and writes them: <see cref="ProjectionDaemonTuning.Ledger"/> unless a benchmark compares.</param>
    public static StoreOptions Configure(StoreOptions options, ProjectionDaemonTuning? daemon = null)
    {
        daemon ??= ProjectionDaemonTuning.Ledger;
        foreach (var projection in All) projection.Register(options, daemon.Apply);
        options.Projections.RebuildWithBulkCopy = daemon.RebuildWithBulkCopy;

        // The daemon's leadership lock (HotCold) must be transaction-scoped: DistributedLock.Postgres 1.3.1, which stands
        // in for Marten's unserved patched build (ADR/0001), refuses a session-scoped lock on a data source.
        options.Events.UseAdvisoryLockTransaction = true;

        // What the views are filtered by.
        options.Schema.For<QuoteView>().Index(x => x.SourceCrm);
        options.Schema.For<QuoteReconciliation>().Duplicate(x => x.HasDiscrepancies, configure: index => index.Predicate = "has_discrepancies");
        options.Schema.For<ApprovalQueueItem>().Index(x => x.Status);
        options.Schema.For<ContractView>().Index(x => x.SourceCrm);
        options.Schema.For<ContractReconciliation>().Index(x => x.SourceCrm);
        // Finance's discrepancy list reads an index of the occurrences kept by triggers on these views (ADR/0014).
        options.Storage.Add(new DiscrepancyRows(options, typeof(QuoteReconciliation), typeof(CustomerMatchView), typeof(ContractReconciliation)));
        // The revenue summary of one customer, and both quote documents' routing of a customer merge.
        options.Schema.For<QuoteReconciliation>().Index(x => x.CustomerId);
        options.Schema.For<QuoteView>().Index(x => x.CustomerId);
        options.Storage.Add(new ViewsCompressedWithLz4(options, All.Select(p => p.Document).Distinct().ToArray()));
        return options;
    }
}

/// <param name="Document">The document type it writes (table <c>mt_doc_{lowercased name}</c>).</param>
/// <param name="Create">A new instance, for the store that registers it.</param>
public sealed record LedgerProjection(string Name, Type Document, Func<IProjectionSource<IDocumentOperations, IQuerySession>> Create)
{
    /// <summary>Registers it to run in the async daemon (ADR/0014), its shard tuned by <paramref name="tune"/>.</summary>
    public void Register(StoreOptions options, Action<AsyncOptions> tune) => options.Projections.Add(Create(), ProjectionLifecycle.Async, tune);
}

/// <summary>
/// How each projection's shard reads and writes in Marten's daemon (ADR/0014, "Rebuilds"): how many events a
/// page holds, how many loaded events may wait, and in a rebuild how many changed documents are held in memory before
/// they are written (each once per window, instead of once per page).
/// </summary>
public sealed record ProjectionDaemonTuning(int PageSize, int HopperSize, int RebuildFlushThreshold, bool RebuildWithBulkCopy)
{
    /// <summary>What Marten does unless told otherwise: the reference a rebuild benchmark compares with.</summary>
    public static readonly ProjectionDaemonTuning MartenDefaults = new(500, 5_000, 0, false);

    /// <summary>
    /// Pages of up to 5,000 events (a tenth of the page transactions of Marten's 500). Writes are not deferred in a
    /// rebuild: a quote's events lie close together, so a document is written about once per rebuild anyway, and a
    /// deferred window would hold thousands of documents in memory and move the rebuild's visible position only at each
    /// window. Measured against <see cref="MartenDefaults"/> by <c>Ledger.Bench rebuild</c>.
    /// </summary>
    public static readonly ProjectionDaemonTuning Ledger = new(PageSize: 5_000, HopperSize: 20_000, RebuildFlushThreshold: 0, RebuildWithBulkCopy: false);

    public void Apply(AsyncOptions options)
    {
        options.BatchSize = PageSize;
        options.MaximumHopperSize = HopperSize;
        options.RebuildFlushThreshold = RebuildFlushThreshold;
    }
}

