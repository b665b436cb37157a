using Ledger.Application.Commands;
using Ledger.Domain.Approvals;
using Ledger.Domain.Contracts;
using Ledger.Domain.Common;

namespace Ledger.Application.Reactions;

/// <summary>
/// An amendment whose delta needs approval gets an approval stream, as a quote revision does (ADR/0021): keyed by the
/// contract and the version the amendment would make (<c>approval-{contractId}-r{version}</c>), with the levels the policy
/// named. The approvers decide it through the same endpoints and queue; <see cref="ApprovalOutcomes"/> carries the outcome back.
/// </summary>
public static class ContractAmendmentApprovals
{
    public const string Name = "contract-amendment-approvals";

    public static readonly IReactor Reactor = new Reactor<ContractCommand, ContractEvent, ContractState>(
        Name, e => Streams.Contract(e.ContractId), React, typeof(ContractAmendmentProposed));

    public static IEnumerable<Reaction> React(ContractEvent @event, ContractState before)
    {
        if (@event is ContractAmendmentProposed e)
            yield return Reaction.Decide.On(new RequestApproval(e.ContractId, e.Fingerprint.Revision, e.Amendment.AmendedBy, e.Fingerprint, e.RequiredLevels,
                e.Segment, e.Region));
    }
}
