using Ledger.Domain.Billing;
using Ledger.Domain.Contracts;
using Ledger.Projections.Common;

namespace Ledger.Projections.Contracts;

/// <summary>
/// The contract as its CRM sees it (ADR/0029): the shared progress of <see cref="ContractProgressProjection{TView}"/> only,
/// from the contract stream and its changes' billing handoffs. No reported fact and no clearing of a discrepancy moves it.
/// </summary>
public sealed class ContractViewProjection : ContractProgressProjection<ContractView>
{
    public const string ProjectionName = "contract-view";

    public ContractViewProjection() : base(ProjectionName)
    {
        ConcreteEventTypes.Include(this, typeof(ContractEvent), typeof(BillingEvent));
    }
}
