using System.Text;
using Ledger.Application;
using Ledger.Domain.Approvals;
using Ledger.EventStore;
using NodaTime;

namespace Ledger.Specs;

/// <summary>Events are never rewritten (ADR/0023): a stored v1 grant, which says nothing of authority, reads as v2 on the approver's own.</summary>
public sealed class ApprovalGrantUpcastTests
{
    private static readonly EventSerializer Serializer = new(LedgerEventTypes.Registry());

    [Fact]
    public void A_stored_v1_grant_reads_as_v2_granted_on_the_approvers_own_authority()
    {
        const string stored = """
            {"level":"Cfo","approver":"carla.cfo","fingerprint":{"revision":1,"pricingHash":"e592feb7","policyVersion":"policy-2026-03"},
             "grantedAt":"2026-03-04T10:00:00Z","quoteId":"Q-2001","revision":1}
            """;

        var read = Assert.IsType<ApprovalLevelGranted>(Serializer.Deserialize("approval-level-granted.v1", Encoding.UTF8.GetBytes(stored)));

        Assert.Equal(new ApprovalLevelGranted("Q-2001", 1, ApprovalLevel.Cfo, "carla.cfo", new ApprovalFingerprint(1, "e592feb7", "policy-2026-03"),
            Instant.FromUtc(2026, 3, 4, 10, 0), DecisionAuthority.Own), read);
        Assert.Equal("own authority", read.Authority.ToString());
    }

    [Fact]
    public void A_v2_grant_on_a_delegation_reads_back_with_its_delegation()
    {
        var delegation = new ApprovalDelegation("carla.cfo", [ApprovalLevel.Cfo], new LocalDate(2026, 3, 4), new LocalDate(2026, 3, 10));
        var written = new ApprovalLevelGranted("Q-2001", 1, ApprovalLevel.Cfo, "valerie.vp", new ApprovalFingerprint(1, "e592feb7", "policy-2026-03"),
            Instant.FromUtc(2026, 3, 4, 10, 0), DecisionAuthority.Delegated(delegation));

        var (type, data) = Serializer.Serialize(written);
        var read = Assert.IsType<ApprovalLevelGranted>(Serializer.Deserialize(type, data));

        Assert.Equal("approval-level-granted.v2", type);
        Assert.Equal(AuthorityKind.Delegated, read.Authority.Kind);
        Assert.Equal(delegation.From, read.Authority.Delegation!.From);
        Assert.Equal(delegation.Levels, read.Authority.Delegation.Levels);
        Assert.Equal((delegation.FirstDay, delegation.LastDay), (read.Authority.Delegation.FirstDay, read.Authority.Delegation.LastDay));
        Assert.Equal("delegated by carla.cfo (Cfo, 2026-03-04 to 2026-03-10)", read.Authority.ToString());
    }
}
