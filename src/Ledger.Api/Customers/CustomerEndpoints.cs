using Ledger.Api.Commands;
using Ledger.Api.Security;
using Ledger.Application.Commands;
using Ledger.Domain.Customers;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;
using Ledger.Domain.Common;

namespace Ledger.Api.Customers;

public sealed record RegisterCustomerRequest(string CustomerId, string Name, string? WebDomain);

public sealed record LinkAccountRequest(string Crm, string AccountId);

public sealed record MergeCustomerRequest(string IntoCustomerId);

/// <summary>Canonical customers, kept by the data stewards (admin role).</summary>
public static class CustomerEndpoints
{
    [WolverinePost("/customers"), Authorize(Roles = LedgerRoles.Admin)]
    public static Task<IResult> Register(RegisterCustomerRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, (unit, ct) => unit.Decide(Streams.Customer(new CustomerId(request.CustomerId ?? "")),
            _ => new RegisterCustomer(new CustomerId(request.CustomerId!), request.Name, request.WebDomain, context.User.ClientName()), ct),
            createdLocation: $"/customers/{request.CustomerId}");

    /// <summary>Claims the CRM account for this customer (one account, one customer) and records the link, in one unit.</summary>
    [WolverinePost("/customers/{customerId}/accounts"), Authorize(Roles = LedgerRoles.Admin)]
    public static Task<IResult> Link(string customerId, LinkAccountRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            var customer = await unit.Load(Streams.Customer(new CustomerId(customerId)), ct);
            var link = new LinkCrmAccount(new CustomerId(customerId), request.Crm, request.AccountId, context.User.ClientName());
            if (CommandUnit.Check(customer, link, unit.Now) is not null)
                return await unit.Decide(customer, link, ct); // the decider names what is wrong, before the account's stream is named
            var claim = await unit.Decide(Streams.CrmAccount(request.Crm, request.AccountId), _ => new ClaimCrmAccount(request.Crm, request.AccountId, new CustomerId(customerId)), ct);
            if (claim is not (CommandResult.Appended or CommandResult.Unchanged)) return claim;
            return await unit.Decide(customer, link, ct);
        });

    /// <summary>Merges one customer into another; its CRM accounts move with it by a reaction (ADR/0017).</summary>
    [WolverinePost("/customers/{customerId}/merge"), Authorize(Roles = LedgerRoles.Admin)]
    public static Task<IResult> Merge(string customerId, MergeCustomerRequest request, CommandRunner commands, HttpContext context) =>
        commands.Answer(context, async (unit, ct) =>
        {
            var target = await unit.Consult(Streams.Customer(new CustomerId(request.IntoCustomerId ?? "")), ct);
            return await unit.Decide(Streams.Customer(new CustomerId(customerId)),
                _ => new MergeCustomer(new CustomerId(customerId), new CustomerId(request.IntoCustomerId!), target, context.User.ClientName()), ct);
        });
}
