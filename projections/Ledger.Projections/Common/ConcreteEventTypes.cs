using JasperFx.Events.Projections;
using Ledger.Domain;

namespace Ledger.Projections.Common;

/// <summary>
/// The event types a projection folds, named to Marten one by one. Marten filters a projection's page query by event type
/// only when the projection names its types and every one is concrete; routing by identity (<c>Identity&lt;ApprovalEvent&gt;</c>)
/// names none, so each projection loaded and deserialized every event in the log, live and in a rebuild, to keep the few
/// it folds (ADR/0014, "Rebuilds"). A type left out here is never loaded: list every type the projection's identities,
/// groupers and <c>Evolve</c> use.
/// </summary>
public static class ConcreteEventTypes
{
    /// <summary>Includes every ledger event type that is one of <paramref name="types"/> (a base type stands for all of its events).</summary>
    public static void Include(EventFilterable projection, params Type[] types)
    {
        foreach (var type in EventNames.All.Select(e => e.Type).Where(e => !e.IsAbstract && types.Any(t => t.IsAssignableFrom(e))))
            projection.IncludeType(type);
    }
}
