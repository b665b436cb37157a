using Ledger.Api.Commands;
using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Quotes;
using Ledger.EventStore;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using Wolverine.Http;

namespace Ledger.Api.Pricing;

public sealed record PreviewLineRequest(string? LineId, string? ProductOfferingId, string? CatalogVersion, decimal Quantity, decimal DiscountPercent);

/// <param name="PolicyVersion">The policy to price under; the one published last when none is named.</param>
public sealed record PricePreviewRequest(string? Currency, string? Segment, string? Region, string? PolicyVersion, IReadOnlyList<PreviewLineRequest?>? Lines);

/// <summary>
/// Prices lines under the published catalog and a policy and says which approval levels a quote like it would need, with
/// the quote decider's own rules (<see cref="PricePreview"/>); appends nothing.
/// </summary>
public static class PricePreviewEndpoint
{
    public const int MaxLines = 500;

    [WolverinePost("/pricing/preview"), Authorize(Roles = $"{LedgerRoles.Crm},{LedgerRoles.Approver},{LedgerRoles.Finance},{LedgerRoles.Admin}")]
    public static async Task<IResult> Preview(PricePreviewRequest request, IEventStore store, EventSerializer serializer, IClock clock, CancellationToken ct)
    {
        var lines = request.Lines ?? [];
        if (lines.Count > MaxLines) return Invalid("lines", $"A preview prices at most {MaxLines} lines.");
        for (var i = 0; i < lines.Count; i++)
            if (lines[i] is null) return Invalid($"lines[{i}]", "Every line is an object.");
        var catalog = await store.FoldAsync(serializer, Streams.Catalog, ct);
        var policies = await store.FoldAsync(serializer, Streams.PricingPolicy, ct);
        var policy = request.PolicyVersion is { } version ? policies.Versions.GetValueOrDefault(version) : policies.Newest;
        var outcome = PricePreview.Of(request.Currency ?? "", request.Segment ?? "", request.Region ?? "",
            lines.Select(l => new PreviewLine(l!.LineId ?? "", l.ProductOfferingId ?? "", l.CatalogVersion ?? "", l.Quantity, l.DiscountPercent,
                catalog.Find(l.CatalogVersion ?? "", l.ProductOfferingId ?? ""))).ToList(),
            policy, clock.GetCurrentInstant());
        return outcome switch
        {
            PricePreviewOutcome.Priced priced => Results.Ok(new
            {
                priced.Snapshot.Currency, priced.Snapshot.Lines, priced.Snapshot.ListTotal, priced.Snapshot.DiscountTotal, priced.Snapshot.NetTotal,
                priced.Snapshot.MaxDiscountPercent, priced.Snapshot.PolicyVersion,
                RequiredLevels = priced.RequiredLevels.Select(l => l.ToString()).ToList(),
                ApprovalNeeded = priced.RequiredLevels.Count > 0,
            }),
            PricePreviewOutcome.Refused { Refusal: var refusal } => Results.Problem(LedgerProblems.Create(CommandResponses.StatusOf(refusal.Kind), refusal.Code,
                refusal.Message, refusal.Field)),
            _ => throw new InvalidOperationException("A preview is priced or refused."),
        };
    }

    private static IResult Invalid(string field, string detail) =>
        Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "preview.invalid", detail, field));
}
