using Ledger.Api.Problems;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.EventStore;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Ledger.Api.Customers;

/// <summary>The canonical customer a CRM account is linked to (after a merge, the surviving one the account moved to).</summary>
public static class CrmAccountCustomerEndpoint
{
    [WolverineGet("/crm/{crm}/accounts/{accountId}/customer"), Authorize(Roles = $"{LedgerRoles.Crm},{LedgerRoles.Finance},{LedgerRoles.Admin}")]
    public static async Task<IResult> Get(string crm, string accountId, IEventStore store, EventSerializer serializer, HttpContext context, CancellationToken ct)
    {
        if (context.Forbids(crm) is { } forbidden) return forbidden;
        return (await store.FoldAsync(serializer, Streams.CrmAccount(crm, accountId), ct)).CustomerId is { } customerId
            ? Results.Ok(new { crm, accountId, customerId })
            : Results.Problem(LedgerProblems.Create(StatusCodes.Status404NotFound, "crm-account.not-linked",
                $"{crm} account {accountId} is linked to no customer.", "accountId"));
    }
}
