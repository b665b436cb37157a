using JasperFx.Events.Projections;
using Ledger.Projections.Approvals;
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
    public static readonly IReadOnlyList<string> Names =
        [QuoteViewProjection.ProjectionName, ApprovalQueueProjection.ProjectionName, CustomerMatchProjection.ProjectionName];

    public static StoreOptions Configure(StoreOptions options)
    {
        options.Projections.Add(new QuoteViewProjection(), ProjectionLifecycle.Async);
        options.Projections.Add(new ApprovalQueueProjection(), ProjectionLifecycle.Async);
        options.Projections.Add(new CustomerMatchProjection(), ProjectionLifecycle.Async);

        // The daemon's leadership lock (HotCold) must be transaction-scoped: DistributedLock.Postgres 1.3.1, which stands
        // in for Marten's unserved patched build (ADR/0001), refuses a session-scoped lock on a data source.
        options.Events.UseAdvisoryLockTransaction = true;

        // What the views are filtered by.
        options.Schema.For<QuoteView>().Index(x => x.SourceCrm);
        options.Schema.For<ApprovalQueueItem>().Index(x => x.Status);
        return options;
    }
}
