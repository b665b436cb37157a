using System.Text;
using System.Text.Json;
using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Crm;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Crm;

/// <summary>
/// The pull feed for CRMs that poll (ADR/0020): the same change documents the webhook pushes, in log order, after a position,
/// with the position to ask after next. A CRM client reads only its own CRM's feed.
/// </summary>
public static class CrmChangesEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    [WolverineGet("/crm/{crm}/changes"), Authorize(Roles = $"{LedgerRoles.Crm},{LedgerRoles.Admin}")]
    public static async Task<IResult> Changes(string crm, long? after, int? limit, CrmChangeStore changes, HttpContext context, CancellationToken ct)
    {
        if (context.Forbids(crm) is { } forbidden) return forbidden;
        if (after is < 0)
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "query.invalid", "after is a log position, 0 or more.", "after"));
        if (limit is < 1 or > MaxLimit)
            return Results.Problem(LedgerProblems.Create(StatusCodes.Status400BadRequest, "query.invalid", $"limit is 1 to {MaxLimit}.", "limit"));
        var from = after ?? 0;
        var page = await changes.PageAsync(crm, from, limit ?? DefaultLimit, ct);
        return Results.Text(Page(crm, page, page.Count > 0 ? page[^1].Position : from), "application/json", Encoding.UTF8);
    }

    /// <summary>The documents exactly as recorded (the webhook sends the same bytes), so they are written raw, not re-serialized.</summary>
    private static string Page(string crm, IReadOnlyList<StoredCrmChange> page, long next)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("crm", crm);
            json.WriteStartArray("changes");
            foreach (var change in page) json.WriteRawValue(change.Document);
            json.WriteEndArray();
            json.WriteNumber("next", next);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
