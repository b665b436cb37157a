using Ledger.Domain.Catalog;
using Ledger.Domain.Quotes;

namespace Ledger.Domain.Approvals;

/// <summary>Approval levels, granted in this order.</summary>
public enum ApprovalLevel { DealDesk, VicePresident, Cfo }

/// <summary>
/// What an approval approves: one revision of a quote, priced exactly so (the snapshot's hash), under one policy.
/// An approval whose fingerprint no longer matches the quote does not count.
/// </summary>
public sealed record ApprovalFingerprint(int Revision, string PricingHash, string PolicyVersion)
{
    public override string ToString() => $"r{Revision}:{PricingHash[..Math.Min(12, PricingHash.Length)]}:{PolicyVersion}";
}

public static class ApprovalRules
{
    /// <summary>The level that waits once <paramref name="granted"/> is granted (levels are granted in order); null after the last.</summary>
    public static ApprovalLevel? LevelAfter(IReadOnlyList<ApprovalLevel> levels, ApprovalLevel granted) =>
        levels.SkipWhile(l => l != granted).Skip(1).Cast<ApprovalLevel?>().FirstOrDefault();

    /// <summary>
    /// The levels a priced quote needs under a policy: deal desk above its discount threshold, VP above its,
    /// CFO above its or above the deal-size threshold in the quote's currency. The largest line discount counts,
    /// so one deep discount cannot hide in a large order. A matching segment/region override replaces the defaults.
    /// </summary>
    public static IReadOnlyList<ApprovalLevel> RequiredLevels(PricingPolicyPublished policy, PriceSnapshot snapshot, string segment, string region) =>
        RequiredLevels(policy, snapshot.MaxDiscountPercent, snapshot.NetTotal, snapshot.Currency, segment, region);

    /// <summary>The same levels for any priced deal: its largest discount and its net total (a contract amendment's delta, ADR/0021).</summary>
    public static IReadOnlyList<ApprovalLevel> RequiredLevels(PricingPolicyPublished policy, decimal discount, decimal netTotal, string currency,
        string segment, string region)
    {
        var thresholds = Thresholds(policy, segment, region);
        var dealSizeLimit = thresholds.CfoAboveNetTotal.FirstOrDefault(p => p.Currency == currency)?.Amount;

        var levels = new List<ApprovalLevel>();
        if (discount > thresholds.DealDeskAboveDiscountPercent) levels.Add(ApprovalLevel.DealDesk);
        if (discount > thresholds.VicePresidentAboveDiscountPercent) levels.Add(ApprovalLevel.VicePresident);
        if (discount > thresholds.CfoAboveDiscountPercent || netTotal > dealSizeLimit)
        {
            // A deal large enough for the CFO goes through every level below first.
            if (!levels.Contains(ApprovalLevel.DealDesk)) levels.Add(ApprovalLevel.DealDesk);
            if (!levels.Contains(ApprovalLevel.VicePresident)) levels.Add(ApprovalLevel.VicePresident);
            levels.Add(ApprovalLevel.Cfo);
        }
        return levels;
    }

    /// <summary>The most specific override wins: segment and region, then segment, then region, then the defaults.</summary>
    public static ApprovalThresholds Thresholds(PricingPolicyPublished policy, string segment, string region) =>
        (policy.Overrides.FirstOrDefault(o => o.Segment == segment && o.Region == region)
         ?? policy.Overrides.FirstOrDefault(o => o.Segment == segment && o.Region is null)
         ?? policy.Overrides.FirstOrDefault(o => o.Segment is null && o.Region == region))?.Thresholds
        ?? policy.Defaults;
}
