using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using JasperFx.Events;
using Ledger.Projections.Quotes;
using Ledger.Projections.Reconciliation;
using NodaTime;
using NodaTime.Text;

namespace Ledger.Specs;

/// <summary>
/// Plays a rule spec without a database: folds the given events into the quote's reconciliation model with its projection's
/// own <see cref="QuoteReconciliationProjection.Evolve"/> (the code the daemon runs), then reads the rule's occurrence as the list
/// would at the spec's instant, with the catalogue's SLAs.
/// </summary>
public static class RuleRunner
{
    [StackTraceHidden]
    public static void Verify(RuleSpec spec)
    {
        // A billing rule watches orders' and contract changes' handoffs alike: its spec is a contract's when its history is.
        if (ContractRules.All.SingleOrDefault(r => r.Rule.Code == spec.Rule) is { } contractRule
            && (QuoteRules.All.All(r => r.Rule.Code != spec.Rule) || AboutContract(spec)))
        {
            VerifyContractRule(spec, contractRule);
            return;
        }
        var rule = QuoteRules.All.SingleOrDefault(r => r.Rule.Code == spec.Rule)
                   ?? throw Bad(spec, $"'{spec.Rule}' is not a quote or contract rule; quote rules: {string.Join(", ", QuoteRules.All.Select(r => r.Rule.Code))}.");
        if (spec.RuleFolder != rule.Rule.Code) throw Bad(spec, $"a spec of {rule.Rule.Code} lives under specs/{RuleSpec.Folder}/{rule.Rule.Code.ToLowerInvariant()}/.");
        var at = InstantPattern.ExtendedIso.Parse(spec.At) is { Success: true } parsed ? parsed.Value
            : throw Bad(spec, $"'at: {spec.At}' is not an ISO instant such as 2026-03-10T14:00:00Z.");

        var projection = new QuoteReconciliationProjection();
        QuoteReconciliation? view = null;
        for (var i = 0; i < spec.Given.Count; i++)
        {
            var given = spec.Given[i];
            var type = SpecRunner.EventTypes.GetValueOrDefault(given.Type) ?? throw Bad(spec, $"given[{i}] names no event type: '{given.Type}'.");
            var data = SpecRunner.Read(type, given.Data, spec.Path, $"given[{i}] {given.Type}");
            var quoteId = QuoteStreams.QuoteIdOf(data) ?? throw Bad(spec, $"given[{i}] {given.Type} is not about a quote.");
            if (view is not null && view.Id != quoteId) throw Bad(spec, $"given[{i}] is about quote {quoteId}, the history before it about {view.Id}.");
            view = projection.Evolve(view, quoteId, Recorded(data, given.Type, i + 1, spec));
        }

        Compare(spec, rule.Rule, at, view?.Discrepancies);
    }

    private static bool AboutContract(RuleSpec spec) =>
        spec.Given.Count > 0 && SpecRunner.EventTypes.GetValueOrDefault(spec.Given[0].Type) is { } type
        && Ledger.Projections.Contracts.ContractStreams.ContractIdOf(SpecRunner.Read(type, spec.Given[0].Data, spec.Path, $"given[0] {spec.Given[0].Type}")) is not null;

    /// <summary>A contract rule's spec (ADR/0021): the given events folded into reconciliation's contract model by its projection's own Evolve (ADR/0029).</summary>
    [StackTraceHidden]
    private static void VerifyContractRule(RuleSpec spec, IContractRule rule)
    {
        if (spec.RuleFolder != rule.Rule.Code) throw Bad(spec, $"a spec of {rule.Rule.Code} lives under specs/{RuleSpec.Folder}/{rule.Rule.Code.ToLowerInvariant()}/.");
        var at = InstantPattern.ExtendedIso.Parse(spec.At) is { Success: true } parsed ? parsed.Value
            : throw Bad(spec, $"'at: {spec.At}' is not an ISO instant such as 2026-03-10T14:00:00Z.");
        var projection = new ContractReconciliationProjection();
        ContractReconciliation? view = null;
        for (var i = 0; i < spec.Given.Count; i++)
        {
            var given = spec.Given[i];
            var type = SpecRunner.EventTypes.GetValueOrDefault(given.Type) ?? throw Bad(spec, $"given[{i}] names no event type: '{given.Type}'.");
            var data = SpecRunner.Read(type, given.Data, spec.Path, $"given[{i}] {given.Type}");
            var contractId = Ledger.Projections.Contracts.ContractStreams.ContractIdOf(data) ?? throw Bad(spec, $"given[{i}] {given.Type} is not about a contract.");
            if (view is not null && view.Id != contractId) throw Bad(spec, $"given[{i}] is about contract {contractId}, the history before it about {view.Id}.");
            view = projection.Evolve(view, contractId, Recorded(data, given.Type, i + 1, spec));
        }
        Compare(spec, rule.Rule, at, view?.Discrepancies);
    }

    [StackTraceHidden]
    private static void Compare(RuleSpec spec, Ledger.Domain.Reconciliation.DiscrepancyRule rule, Instant at, IReadOnlyList<Discrepancy>? book)
    {
        var occurrence = book?.LastOrDefault(d => d.Rule == rule.Code)?.AsOf(at);
        var shown = occurrence is not null && occurrence.IsDiscrepancyAt(at, rule.Sla) ? occurrence : null;
        var actual = new JsonObject
        {
            ["then"] = shown is null ? "nothing" : new JsonObject
            {
                ["status"] = shown.Status.ToString(),
                ["detectedAt"] = InstantPattern.ExtendedIso.Format(shown.DetectedAt(rule.Sla)),
                ["expected"] = shown.Expected?.ToString(),
                ["actual"] = shown.Actual?.ToString(),
                ["detail"] = shown.Detail,
            },
        };
        // Only what the spec states is compared.
        var expected = new JsonObject { ["then"] = spec.Then is null ? "nothing" : spec.Then.DeepClone() };
        if (spec.Then is not null && actual["then"] is JsonObject found)
            foreach (var key in found.Select(p => p.Key).ToList().Where(k => !spec.Then.ContainsKey(k)))
                found.Remove(key);
        SpecRunner.Compare(spec.Path, spec.Title, $"{rule.Code} read at {spec.At}", expected, actual);
    }

    /// <summary>The event as the daemon sees it: at its place in the log, recorded at its own time.</summary>
    private static IEvent Recorded(object data, string type, long sequence, RuleSpec spec)
    {
        var e = (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(data.GetType()), data)!;
        e.Sequence = sequence;
        e.Version = sequence;
        e.Id = Guid.CreateVersion7();
        e.EventTypeName = type;
        e.StreamKey = "spec";
        e.Timestamp = OwnTime(data).ToDateTimeOffset();
        return e;
        Instant OwnTime(object d)
        {
            var instants = d.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.PropertyType == typeof(Instant) && p.Name.EndsWith("At", StringComparison.Ordinal)).ToList();
            var own = instants.FirstOrDefault(p => p.Name == "ReportedAt") ?? instants.FirstOrDefault()
                      ?? throw Bad(spec, $"{type} has no …At instant to be recorded at.");
            return (Instant)own.GetValue(d)!;
        }
    }

    private static InvalidDataException Bad(RuleSpec spec, string problem) => SpecYaml.Bad(spec.Path, problem);
}
