using Ledger.Application.Commands;
using Ledger.Domain.Catalog;

namespace Ledger.Application.Reference;

/// <summary>
/// The published catalog and pricing policies, kept in memory and caught up by revision: a command reads only the
/// versions published since the cache last looked (usually none), inside its own unit. So a catalog with 1,000
/// versions costs a command what one with a single version does, and every node sees what any node published.
/// </summary>
public sealed class ReferenceData
{
    private Cached<CatalogState> _catalog = new(Streams.Catalog.Decider.Initial, -1);
    private Cached<PricingPolicyState> _policies = new(Streams.PricingPolicy.Decider.Initial, -1);

    public async Task<CatalogState> Catalog(CommandUnit unit, CancellationToken ct) =>
        (_catalog = Newer(_catalog, await CatchUp(unit, Streams.Catalog, _catalog, ct))).State;

    public async Task<PricingPolicyState> Policies(CommandUnit unit, CancellationToken ct) =>
        (_policies = Newer(_policies, await CatchUp(unit, Streams.PricingPolicy, _policies, ct))).State;

    private sealed record Cached<TState>(TState State, long Revision);

    private static async Task<Cached<TState>> CatchUp<TCommand, TEvent, TState>(CommandUnit unit, Stream<TCommand, TEvent, TState> stream,
        Cached<TState> cached, CancellationToken ct) where TEvent : class
    {
        var (state, revision) = await unit.CatchUp(stream, cached.State, cached.Revision, ct);
        return new Cached<TState>(state, revision);
    }

    // Commands catch up concurrently; whichever read further wins, so the cache never goes back.
    private static Cached<TState> Newer<TState>(Cached<TState> current, Cached<TState> candidate) =>
        candidate.Revision >= current.Revision ? candidate : current;
}
