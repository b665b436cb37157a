using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.EventStore;
using Ledger.EventStore.Anchoring;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Anchors;

/// <summary>
/// Anchors on demand, and their proof (ADR/0025). An anchor appends nothing to the ledger: it writes a signed file outside
/// the database, so an auditor may ask for one as well as an administrator.
/// </summary>
public static class AnchorEndpoints
{
    [WolverinePost("/anchors"), Authorize(Roles = $"{LedgerRoles.Admin},{LedgerRoles.Auditor}")]
    public static async Task<IResult> Post(ChainAnchoring anchoring, CancellationToken ct)
    {
        if (!anchoring.Settings.Configured) return NotConfigured();
        var written = await anchoring.AnchorNowAsync(ct);
        var anchor = written.Anchor!;
        return Results.Json(new
        {
            anchor.Sequence, anchor.AnchoredAt, anchor.MerkleRoot, anchor.StreamCount, anchor.Signature.KeyId,
            file = Path.GetFileName(written.Path), fileHash = written.FileHash,
        }, statusCode: StatusCodes.Status201Created);
    }

    /// <param name="trust">Key ids (comma-separated) that may sign anchors; any key the anchors carry when absent.</param>
    [WolverineGet("/anchors/verify"), Authorize(Roles = $"{LedgerRoles.Admin},{LedgerRoles.Auditor}")]
    public static async Task<IResult> Verify(string? trust, ChainAnchoring anchoring, IEventStore store, CancellationToken ct)
    {
        if (!anchoring.Settings.Configured) return NotConfigured();
        IReadOnlySet<string>? trusted = trust is { Length: > 0 }
            ? trust.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : null;
        var report = await new AnchorVerifier(store).VerifyAsync(new AnchorLog(anchoring.Settings.Directory!), trusted, ct);
        return Results.Ok(new { intact = report.Intact, report.AnchorsChecked, report.LatestSequence, report.HeadsChecked, report.KeyIds, report.Findings });
    }

    private static IResult NotConfigured() =>
        Results.Problem(LedgerProblems.Create(StatusCodes.Status409Conflict, "anchors.not-configured",
            "This ledger keeps no anchor log: set Ledger:Anchors:Directory and Ledger:Anchors:KeyFile."));
}
