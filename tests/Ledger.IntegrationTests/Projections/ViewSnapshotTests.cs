using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Api;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Snapshooter;
using Snapshooter.Xunit;
using Xunit;

namespace Ledger.IntegrationTests.Projections;

/// <summary>
/// Each view document as PostgreSQL stores it for the fixed <see cref="ReconciliationHistory"/>: a change in what a
/// view holds (or how it is stored) shows up as a snapshot diff in review. The history's event ids, instants and
/// positions are fixed, so the documents are too.
/// </summary>
public sealed class ViewSnapshotTests(ReconciliationWorld fixture) : IClassFixture<ReconciliationWorld>
{
    [Theory]
    [InlineData("quoteview", "Q-MISMATCH")]
    [InlineData("quoteview", "Q-STALE-APPROVAL")]
    [InlineData("quoteview", "Q-DUP-RECORDS")]
    [InlineData("quoteview", "Q-CRM-LATE")]
    [InlineData("quotereconciliation", "Q-MISMATCH")]
    [InlineData("quotereconciliation", "Q-STALE-APPROVAL")]
    [InlineData("quotereconciliation", "Q-DUP-RECORDS")]
    [InlineData("quotereconciliation", "Q-CRM-LATE")]
    [InlineData("contractview", "ctr-Q-CTR-A")]
    [InlineData("contractview", "ctr-Q-CTR-B")]
    [InlineData("contractview", "ctr-Q-CTR-C")]
    [InlineData("contractview", "ctr-Q-CTR-G")]
    [InlineData("contractview", "ctr-Q-CTR-H")]
    [InlineData("contractreconciliation", "ctr-Q-CTR-A")]
    [InlineData("contractreconciliation", "ctr-Q-CTR-B")]
    [InlineData("contractreconciliation", "ctr-Q-CTR-C")]
    [InlineData("contractreconciliation", "ctr-Q-CTR-G")]
    [InlineData("contractreconciliation", "ctr-Q-CTR-H")]
    [InlineData("approvalqueueitem", "Q-PENDING-r1")]
    [InlineData("customermatchview", "name:globex")]
    [InlineData("customermatchview", "domain:acme.com")]
    public async Task View_document(string table, string id)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select data::text from ledger.mt_doc_{table} where id = @id", connection);
        command.Parameters.AddWithValue("id", id);
        var json = await command.ExecuteScalarAsync() as string;
        Assert.NotNull(json);
        Snapshot.Match(Pretty(json), SnapshotNameExtension.Create(table, id.Replace(':', '-')));
    }

    [Fact]
    public async Task Discrepancy_list()
    {
        var list = await (await fixture.World.Finance.GetAsync("/reconciliation/discrepancies?status=all&pageSize=500")).Content.ReadAsStringAsync();
        Snapshot.Match(Pretty(list));
    }

    [Fact]
    public async Task Revenue_summary()
    {
        var summary = await (await fixture.World.Finance.GetAsync("/revenue/summary")).Content.ReadAsStringAsync();
        Snapshot.Match(Pretty(summary));
    }

    private static string Pretty(string json) => JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
}
