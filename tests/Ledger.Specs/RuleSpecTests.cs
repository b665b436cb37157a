using Ledger.Projections.Reconciliation;

namespace Ledger.Specs;

/// <summary>What the rule specs must cover: every quote and contract rule, once found and once not.</summary>
public sealed class RuleSpecTests
{
    [Fact]
    public void Every_quote_rule_has_a_spec_that_finds_it_and_one_that_does_not()
    {
        var specs = RuleSpec.All().Select(RuleSpec.Load).ToList();
        var missing = QuoteRules.All.Select(r => r.Rule.Code).Concat(ContractRules.All.Select(r => r.Rule.Code))
            .SelectMany(code => new[]
            {
                specs.Any(s => s.Rule == code && s.Then is not null) ? null : $"{code} found",
                specs.Any(s => s.Rule == code && (s.Then is null || s.Then["status"]?.GetValue<string>() == "Closed")) ? null : $"{code} not found (or closed)",
            })
            .OfType<string>().ToList();
        Assert.True(missing.Count == 0, $"No rule spec for: {string.Join(", ", missing)}");
    }
}
