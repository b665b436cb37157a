using Ledger.Testing;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Api;
using Ledger.EventStore;
using Ledger.EventStore.Anchoring;
using Ledger.EventStore.Verification;
using Ledger.IntegrationTests.Journeys;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;
using static Ledger.IntegrationTests.Journeys.LedgerWorld;

namespace Ledger.IntegrationTests.Timelines;

/// <summary>
/// Anchored chain heads (ADR/0025): what the hash chain alone cannot see (a removed newest event with the stream's length
/// fixed up, a forged tail chained correctly, a deleted stream) is caught against signed anchors outside the database, by
/// <c>ledger verify --all --anchors</c> (exit 2) and by the auditor's HTTP proof; tampered anchor files are findings too.
/// </summary>
public sealed class AnchorTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"ledger-anchors-{Guid.NewGuid():N}");
    private string AnchorDirectory => Path.Combine(_folder, "anchors");
    private string KeyFile => Path.Combine(_folder, "anchor-key.pem");
    private LedgerWorld _world = null!;

    private Dictionary<string, string?> AnchorSettings => new()
    {
        ["Ledger:Anchors:Directory"] = AnchorDirectory,
        ["Ledger:Anchors:KeyFile"] = KeyFile,
    };

    public async Task InitializeAsync()
    {
        AnchorKey.Create(KeyFile).Dispose();
        _world = await StartAsync(nameof(AnchorTests), settings: AnchorSettings);
        await _world.PublishCatalogAndPolicyAsync();
    }

    public async Task DisposeAsync()
    {
        await _world.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Anchors_chain_to_each_other_and_an_untouched_ledger_proves_every_anchored_head()
    {
        await PricedQuote("Q-AN-1");
        var first = await (await Post(_world.Auditor, "/anchors")).EnsureAccepted().Json();
        Assert.Equal(1, first.GetProperty("sequence").GetInt64());
        await PricedQuote("Q-AN-2"); // streams that grow after an anchor keep its heads
        (await Post(_world.Salesforce, "/quotes/Q-AN-1/lines", Line("L2"))).EnsureAccepted();
        var second = await (await Post(_world.Admin, "/anchors")).EnsureAccepted().Json();
        Assert.Equal(2, second.GetProperty("sequence").GetInt64());

        var files = new AnchorLog(AnchorDirectory).Read();
        Assert.Equal([1L, 2L], files.Select(f => f.Sequence));
        Assert.Null(files[0].Anchor!.PreviousAnchor);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(files[0].Path))), files[1].Anchor!.PreviousAnchor);
        var heads = files[1].Anchor!.Heads;
        Assert.Contains(heads, h => h.StreamId == "quote-Q-AN-1" && h.Revision == 3);
        Assert.Equal(MerkleTree.Root(heads), files[1].Anchor!.MerkleRoot);

        var run = await LedgerAsync("verify", "--all", "--anchors", AnchorDirectory);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("every anchored head holds", run.Output);
        var proof = await (await _world.Auditor.GetAsync("/anchors/verify")).EnsureAccepted().Json();
        Assert.True(proof.GetProperty("intact").GetBoolean(), proof.ToString());
        Assert.Equal(2, proof.GetProperty("anchorsChecked").GetInt32());
    }

    public static TheoryData<string, AnchorFindingKind> ChainBlindTampering => new()
    {
        // The newest event removed, and the stream's recorded length lowered to match: the chain has nothing left to object to.
        { "truncated", AnchorFindingKind.HeadGone },
        // The newest event's data replaced and its hash recomputed over the true previous hash: a correctly chained forgery.
        { "forged", AnchorFindingKind.HeadChanged },
        // Every event of the stream and the stream itself removed.
        { "deleted", AnchorFindingKind.StreamGone },
    };

    [Theory, MemberData(nameof(ChainBlindTampering))]
    public async Task Tampering_the_hash_chain_cannot_see_is_caught_against_the_anchors(string how, AnchorFindingKind kind)
    {
        // The tampering is SQL on PostgreSQL's event table: the system of record only in PostgreSQL mode (in EventStoreDB
        // mode it is a replica, and the API reads EventStoreDB, which no SQL can reach; EventStoreDbTamperingTests has those).
        _world = await _world.InPostgresModeAsync(nameof(AnchorTests), w => w.PublishCatalogAndPolicyAsync(), AnchorSettings);
        var quoteId = $"Q-AN-{how}";
        var stream = $"quote-{quoteId}";
        await PricedQuote(quoteId);
        await PricedQuote("Q-AN-BYSTANDER");
        (await Post(_world.Admin, "/anchors")).EnsureAccepted();

        await TamperAsync(how, stream);

        // The chain alone sees nothing wrong with this stream (or does not see the stream at all).
        var chains = await new ChainVerifier(_world.EventStore).VerifyAllAsync();
        Assert.All(chains, c => Assert.True(c.Intact, $"{c.StreamId}: {c.FirstBrokenLink}"));

        var run = await LedgerAsync("verify", "--all", "--anchors", AnchorDirectory);
        Assert.True(run.ExitCode == 2, run.Output);
        Assert.Contains($"{stream}: {kind}", run.Output);
        Assert.DoesNotContain("Q-AN-BYSTANDER", run.Output);

        var proof = await (await _world.Auditor.GetAsync("/anchors/verify")).EnsureAccepted().Json();
        Assert.False(proof.GetProperty("intact").GetBoolean());
        var finding = Assert.Single(proof.GetProperty("findings").EnumerateArray());
        Assert.Equal(stream, finding.GetProperty("subject").GetString());
        Assert.Equal(kind.ToString(), finding.GetProperty("kind").GetString());
        // Nothing crashes on the tampered store: the quote's own verify still answers.
        var quoteVerify = await _world.Auditor.GetAsync($"/quotes/{quoteId}/timeline/verify");
        Assert.True(quoteVerify.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{quoteVerify.StatusCode}");
    }

    [Fact]
    public async Task A_billing_record_edited_in_place_is_reported_by_verify_all_with_anchors()
    {
        _world = await _world.InPostgresModeAsync(nameof(AnchorTests), w => w.PublishCatalogAndPolicyAsync(), AnchorSettings);
        (await Post(_world.Billing, "/billing/records", new
        {
            records = new[] { new { recordId = "INV-AN-1", orderId = "ord-Q-AN-BILLED", kind = "Invoice", amount = 3_000.00m, currency = "EUR", status = "Issued", observedAt = "2026-03-10T10:00:00Z" } },
        })).EnsureAccepted();
        (await Post(_world.Admin, "/anchors")).EnsureAccepted();
        await ExecuteAsync("update ledger.mt_events set data = jsonb_set(data, '{amount}', '30.00') where stream_id = 'billing-record-INV-AN-1'");

        var run = await LedgerAsync("verify", "--all", "--anchors", AnchorDirectory);
        Assert.True(run.ExitCode == 2, run.Output);
        Assert.Contains("billing-record-INV-AN-1: EventAltered", run.Output);
        Assert.Contains("every anchored head holds", run.Output); // the stored hash is the anchored one; the chain is what objects
    }

    [Fact]
    public async Task Anchor_files_prove_themselves_and_a_rotated_key_signs_the_next_one()
    {
        await PricedQuote("Q-AN-FILES");
        var firstKey = KeyIdOf(KeyFile);
        (await Post(_world.Admin, "/anchors")).EnsureAccepted();
        // Rotation: a new key in the file's place signs the next anchor, with no restart; each anchor names its key.
        File.Delete(KeyFile);
        AnchorKey.Create(KeyFile).Dispose();
        var secondKey = KeyIdOf(KeyFile);
        (await Post(_world.Admin, "/anchors")).EnsureAccepted();
        (await Post(_world.Admin, "/anchors")).EnsureAccepted();

        var verifier = new AnchorVerifier(_world.EventStore);
        var log = new AnchorLog(AnchorDirectory);
        var intact = await verifier.VerifyAsync(log);
        Assert.True(intact.Intact, string.Join("\n", intact.Findings));
        Assert.Equal(new[] { firstKey, secondKey }.Order(StringComparer.Ordinal), intact.KeyIds);
        var onlyNew = await verifier.VerifyAsync(log, new HashSet<string> { secondKey });
        var untrusted = Assert.Single(onlyNew.Findings);
        Assert.Equal((AnchorFindingKind.KeyNotTrusted, AnchorLog.FileName(1)), (untrusted.Kind, untrusted.Subject));

        // A head edited in an anchor file no longer hashes to its signed root.
        var third = Path.Combine(AnchorDirectory, AnchorLog.FileName(3));
        var json = JsonNode.Parse(File.ReadAllText(third))!;
        json["heads"]![0]!["revision"] = 99;
        File.WriteAllText(third, json.ToJsonString());
        Assert.Contains((await verifier.VerifyAsync(log)).Findings, x => x.Kind == AnchorFindingKind.MerkleRootMismatch && x.Subject == AnchorLog.FileName(3));

        // An anchor removed from the middle breaks the anchors' own chain; garbage in a file is a finding, not a crash.
        File.Delete(Path.Combine(AnchorDirectory, AnchorLog.FileName(2)));
        File.WriteAllText(Path.Combine(AnchorDirectory, AnchorLog.FileName(4)), "not an anchor");
        var findings = (await verifier.VerifyAsync(log)).Findings;
        Assert.Contains(findings, x => x.Kind == AnchorFindingKind.AnchorChainBroken && x.Subject == AnchorLog.FileName(3));
        Assert.Contains(findings, x => x.Kind == AnchorFindingKind.AnchorUnreadable && x.Subject == AnchorLog.FileName(4));
        var run = await LedgerAsync("verify", "--all", "--anchors", AnchorDirectory);
        Assert.True(run.ExitCode == 2, run.Output);
    }

    [Fact]
    public async Task The_command_line_anchors_the_same_heads_the_api_would()
    {
        await PricedQuote("Q-AN-CLI");
        var run = await LedgerAsync("anchor", "--dir", AnchorDirectory, "--key", KeyFile);
        Assert.True(run.ExitCode == 0, run.Output);
        var anchor = Assert.Single(new AnchorLog(AnchorDirectory).Read()).Anchor!;
        Assert.Equal(KeyIdOf(KeyFile), anchor.Signature.KeyId);
        Assert.Equal(MerkleTree.Root(await ChainHeads.ReadAsync(_world.EventStore)), anchor.MerkleRoot);
        Assert.Contains(anchor.MerkleRoot, run.Output);
    }

    [Fact]
    public async Task A_node_with_an_interval_anchors_on_its_own()
    {
        await PricedQuote("Q-AN-TIMED");
        // This world's first node anchors only on demand; a second node with an interval (about a second) takes the periodic work.
        await _world.StartAnotherNodeAsync(new Dictionary<string, string?> { ["Ledger:Anchors:IntervalMinutes"] = "0.02" });
        var files = await Eventually(() => Task.FromResult(new AnchorLog(AnchorDirectory).Read()), f => f.Count >= 2, TimeSpan.FromMinutes(2));
        Assert.True(files.Count >= 2, $"{files.Count} anchor(s) written");
        Assert.Contains(files[0].Anchor!.Heads, h => h.StreamId == "quote-Q-AN-TIMED");
        Assert.True((await new AnchorVerifier(_world.EventStore).VerifyAsync(new AnchorLog(AnchorDirectory))).Intact);
    }

    [Fact]
    public async Task Without_an_anchor_log_configured_the_endpoints_refuse_with_a_problem()
    {
        var bare = await _world.StartAnotherNodeAsync(new Dictionary<string, string?> { ["Ledger:Anchors:Directory"] = "" });
        var response = await Post(bare.ClientWithKey(AdminKey), "/anchors");
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("anchors.not-configured", (await response.Json()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(_world.Finance, "/anchors")).StatusCode);
        Assert.False(Directory.Exists(AnchorDirectory));
    }

    private async Task TamperAsync(string how, string stream)
    {
        switch (how)
        {
            case "truncated":
                await ExecuteAsync("""
                    delete from ledger.mt_events where stream_id = @stream and version = (select max(version) from ledger.mt_events where stream_id = @stream);
                    update ledger.mt_streams set version = version - 1 where id = @stream;
                    """, stream);
                break;
            case "forged":
                var head = (await _world.StreamAsync(stream))[^1].Event;
                var data = JsonNode.Parse(head.Data.Span)!.AsObject();
                data["forged"] = true;
                var bytes = JsonSerializer.SerializeToUtf8Bytes(data);
                var hash = EventHash.Compute(head.Type, bytes, head.Metadata, head.PreviousHash);
                await using (var command = DataSource.CreateCommand("""
                    update ledger.mt_events set data = @data::jsonb, headers = jsonb_set(headers, '{hash}', to_jsonb(@hash::text))
                    where stream_id = @stream and version = (select max(version) from ledger.mt_events where stream_id = @stream)
                    """))
                {
                    command.Parameters.AddWithValue("stream", stream);
                    command.Parameters.AddWithValue("data", System.Text.Encoding.UTF8.GetString(bytes));
                    command.Parameters.AddWithValue("hash", hash);
                    Assert.Equal(1, await command.ExecuteNonQueryAsync());
                }
                break;
            case "deleted":
                await ExecuteAsync("delete from ledger.mt_events where stream_id = @stream; delete from ledger.mt_streams where id = @stream;", stream);
                break;
        }
    }

    private NpgsqlDataSource DataSource => _world.Ledger.Services.GetRequiredService<NpgsqlDataSource>();

    private async Task ExecuteAsync(string sql, string? stream = null)
    {
        await using var command = DataSource.CreateCommand(sql);
        if (stream is not null) command.Parameters.AddWithValue("stream", stream);
        Assert.True(await command.ExecuteNonQueryAsync() > 0, "The tampering touched no row.");
    }

    private static string KeyIdOf(string keyFile)
    {
        using var key = AnchorKey.Load(keyFile);
        return key.KeyId;
    }

    private static object Line(string lineId) => new { lineId, productOfferingId = "PLAT-ENT", catalogVersion = "2026.1", quantity = 5, discountPercent = 5 };

    /// <summary>Drafted, one line, priced: the quote stream's head is revision 2.</summary>
    private async Task PricedQuote(string quoteId)
    {
        (await Post(_world.Salesforce, "/quotes", QuoteToCashJourneyTests.Draft(quoteId, "EUR", "Europe/Berlin"))).EnsureAccepted();
        (await Post(_world.Salesforce, $"/quotes/{quoteId}/lines", Line("L1"))).EnsureAccepted();
        (await Post(_world.Salesforce, $"/quotes/{quoteId}/price", new { })).EnsureAccepted();
    }

    private sealed record Run(int ExitCode, string Output);

    /// <summary>The built <c>ledger</c> program against this world's database.</summary>
    private async Task<Run> LedgerAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Checkout.ProgramPath("src/Ledger.Cli", "ledger.dll"), .. args]) { WorkingDirectory = _folder };
        start.Environment["LEDGER_HOME"] = Path.Combine(_folder, "home");
        // The same system of record as the API's: the anchors sign its heads.
        var settings = _world.Ledger.Services.GetRequiredService<LedgerSettings>();
        start.Environment[LedgerSettings.PostgresVariable] = settings.PostgresConnectionString;
        start.Environment[LedgerSettings.EventStoreVariable] = settings.EventStore;
        start.Environment["COLUMNS"] = "400"; // no wrapped findings
        var run = await ChildProcess.RunToEndAsync(start, TimeSpan.FromMinutes(5));
        return new Run(run.ExitCode, run.Output);
    }
}
