using Ledger.Domain.Reconciliation;
using Ledger.Projections.Contracts;
using Ledger.Projections.Reconciliation.Rules;

namespace Ledger.Projections.Reconciliation;

/// <summary>One reconciliation rule about a contract (ADR/0021): a pure condition over the contract's view.</summary>
public interface IContractRule
{
    DiscrepancyRule Rule { get; }

    Finding? Find(ContractView view);
}

/// <summary>The contract rules (one file each under <c>Rules/</c>).</summary>
public static class ContractRules
{
    public static readonly IReadOnlyList<IContractRule> All = [new ContractChangeBilledNotMade(), new ContractBilledAmountMismatch()];

    public static readonly IReadOnlyCollection<DiscrepancyRule> Rules = All.Select(r => r.Rule).ToList();

    public static IReadOnlyList<Finding> Findings(ContractView v) => All.Select(r => r.Find(v)).OfType<Finding>().ToList();
}
