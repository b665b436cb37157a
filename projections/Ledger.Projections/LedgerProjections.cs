using JasperFx.Events.Projections;
using Ledger.Projections.Approvals;
using Ledger.Projections.Contracts;
using Ledger.Projections.Customers;
using Ledger.Projections.Quotes;
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
        new(QuoteViewProjection.ProjectionName, typeof(QuoteView), o => o.Projections.Add(new QuoteViewProjection(), ProjectionLifecycle.Async)),
        new(ApprovalQueueProjection.ProjectionName, typeof(ApprovalQueueItem), o => o.Projections.Add(new ApprovalQueueProjection(), ProjectionLifecycle.Async)),
        new(CustomerMatchProjection.ProjectionName, typeof(CustomerMatchView), o => o.Projections.Add(new CustomerMatchProjection(), ProjectionLifecycle.Async)),
        new(ContractViewProjection.ProjectionName, typeof(ContractView), o => o.Projections.Add(new ContractViewProjection(), ProjectionLifecycle.Async)),
    ];

    public static readonly IReadOnlyList<string> Names = All.Select(p => p.Name).ToList();

    public static StoreOptions Configure(StoreOptions options)
    {
        foreach (var projection in All) projection.Register(options);

        // The daemon's leadership lock (HotCold) must be transaction-scoped: DistributedLock.Postgres 1.3.1, which stands
        // in for Marten's unserved patched build (ADR/0001), refuses a session-scoped lock on a data source.
        options.Events.UseAdvisoryLockTransaction = true;

        // What the views are filtered by.
        options.Schema.For<QuoteView>().Index(x => x.SourceCrm);
        options.Schema.For<QuoteView>().Duplicate(x => x.HasDiscrepancies, configure: index => index.Predicate = "has_discrepancies");
        options.Schema.For<ApprovalQueueItem>().Index(x => x.Status);
        options.Schema.For<ContractView>().Index(x => x.SourceCrm);
        // Finance's discrepancy list reads an index of the occurrences kept by triggers on these views (ADR/0014).
        options.Storage.Add(new Reconciliation.DiscrepancyRows(options, typeof(QuoteView), typeof(CustomerMatchView), typeof(ContractView)));
        // The revenue summary of one customer.
        options.Schema.For<QuoteView>().Index(x => x.CustomerId);
        return options;
    }
}

/// <param name="Document">The document type it writes (table <c>mt_doc_{lowercased name}</c>).</param>
public sealed record LedgerProjection(string Name, Type Document, Action<StoreOptions> Register);

