namespace Ledger.IntegrationTests.Crm;

/// <summary>
/// The CRM push and read tests run one class after another, not beside each other: each test starts a ledger host with its
/// own connection pools, and the suite's hosts running at once share one test cluster's connection limit.
/// </summary>
public static class CrmPushCollection
{
    public const string Name = "CRM push and reads";
}
