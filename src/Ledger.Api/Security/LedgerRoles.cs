namespace Ledger.Api.Security;

/// <summary>What an API client may do. A CRM integration also carries the CRM it speaks for.</summary>
public static class LedgerRoles
{
    public const string Crm = "crm";
    public const string Approver = "approver";
    public const string Auditor = "auditor";
    public const string Finance = "finance";
    public const string Billing = "billing";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Crm, Approver, Auditor, Finance, Billing, Admin];
}

public static class LedgerClaims
{
    public const string Client = "ledger:client";
    public const string Crm = "ledger:crm";
}
